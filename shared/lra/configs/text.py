"""LRA Text (IMDB bytes, 4K), baseline Transformer (base_tc_config.py: batch 32, 20000 steps, lr 0.05, wd 0.1, warmup 8000)."""

from shared.lra.configs.common import lra_config
from shared.lra.train import LRAConfig


def get_config() -> LRAConfig:
    return lra_config("text", batch_size=32, steps=20000, lr=0.05, weight_decay=0.1, warmup=8000, schedule="inverse_sqrt")
