"""The full method: CLIP visual pseudo labels, richness loss, and label denoising."""

from avvp_clip.configs.common import with_pseudo_labels

config = with_pseudo_labels(segment=True, richness=True, denoise=True)
