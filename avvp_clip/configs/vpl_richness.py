"""Ablation: HAN + CLIP visual pseudo labels + the category-/segment-richness loss."""

from avvp_clip.config import AVVPConfig
from avvp_clip.configs._common import with_pseudo_labels


def get_config() -> AVVPConfig:
    return with_pseudo_labels(segment=True, richness=True)
