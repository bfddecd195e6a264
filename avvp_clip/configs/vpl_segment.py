"""Ablation: HAN + CLIP visual pseudo labels with the plain segment-level BCE."""

from avvp_clip.configs.common import with_pseudo_labels

config = with_pseudo_labels(segment=True)
