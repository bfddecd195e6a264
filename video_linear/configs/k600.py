"""Kinetics-600: as k400.py with 600 classes and one gate shared by queries and keys."""

from video_linear.config import VideoConfig
from video_linear.configs._common import k600


def get_config() -> VideoConfig:
    return k600()
