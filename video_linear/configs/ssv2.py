"""Something-Something v2: shared gate, SHIFT_DIV 4 over 16 frames, random erasing 0.5, no flips."""

from video_linear.config import VideoConfig
from video_linear.configs._common import ssv2


def get_config() -> VideoConfig:
    return ssv2()
