"""Charades: multi-label, fine-tuned from a K400 checkpoint, 10 x 3 views max-ensembled, mAP."""

from video_linear.config import VideoConfig
from video_linear.configs._common import charades


def get_config() -> VideoConfig:
    return charades()
