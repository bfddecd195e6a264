"""Ablation: HAN + CLIP visual pseudo labels + the category-/segment-richness loss."""

from avvp_clip.configs.common import with_pseudo_labels

config = with_pseudo_labels(segment=True, richness=True)
