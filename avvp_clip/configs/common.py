"""The experiments of the paper's ablation, as switches on one config (hyperparameters of main_avvp.py)."""

from __future__ import annotations

import dataclasses

from avvp_clip.losses import LossConfig
from avvp_clip.train import AVVPConfig, PseudoConfig


def han_baseline() -> AVVPConfig:
    """HAN trained from video-level labels only (Tian et al., ECCV 2020)."""
    return AVVPConfig()


def with_pseudo_labels(segment: bool = True, richness: bool = False, denoise: bool = False) -> AVVPConfig:
    """HAN + CLIP segment-level visual pseudo labels, with the paper's loss terms switched on as asked."""
    cfg = AVVPConfig()
    loss = LossConfig(segment_pseudo=segment, richness=richness, visual_video_from_pseudo=True)
    return dataclasses.replace(cfg, loss=loss, pseudo=dataclasses.replace(PseudoConfig(), denoise=denoise))
