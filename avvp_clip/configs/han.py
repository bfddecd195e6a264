"""Baseline: HAN trained from video-level labels only (LLP, 40 epochs, Adam 3e-4, batch 16)."""

from avvp_clip.configs.common import han_baseline

config = han_baseline()
