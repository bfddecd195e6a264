"""Kinetics-400, the paper's full model: separate q/k gates, temporal + spatial shifts in all blocks, fine-tuned
from ImageNet-21k lvit_v2 weights (see _common.py for the recipe)."""

from video_linear.config import VideoConfig
from video_linear.configs._common import k400


def get_config() -> VideoConfig:
    return k400()
