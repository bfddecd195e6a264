"""Ablation: the linear-attention baseline on Kinetics-400 without feature fixation and without
neighbourhood association. Toggle `model.feature_fixation`, `model.share_gate`, `model.temporal_shift`,
`model.spatial_shift` with --set to rebuild the other rows of the ablation."""

from video_linear.config import VideoConfig
from video_linear.configs._common import k400_linear_baseline


def get_config() -> VideoConfig:
    return k400_linear_baseline()
