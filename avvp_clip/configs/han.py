"""Baseline: HAN as published, trained from video-level labels only (LLP, 40 epochs, Adam 3e-4, batch 16)."""

from avvp_clip.config import AVVPConfig
from avvp_clip.configs._common import han_baseline


def get_config() -> AVVPConfig:
    return han_baseline()
