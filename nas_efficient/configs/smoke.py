"""Smoke supernet: scikit-learn's 8x8 digits, 4x4 patches (4 tokens + cls), a tiny search space with
both attention types, on CPU in seconds. Same code path as cifar10_supernet.py."""

from nas_efficient.config import NasConfig
from nas_efficient.configs._common import smoke


def get_config() -> NasConfig:
    return smoke()
