"""LRA ListOps, baseline Transformer (base_listops_config.py: batch 32, 5000 steps, lr 0.05, wd 0.1, warmup 1000)."""

from shared.lra.configs.common import lra_config
from shared.lra.train import LRAConfig


def get_config() -> LRAConfig:
    return lra_config("listops", batch_size=32, steps=5000, lr=0.05, weight_decay=0.1, warmup=1000, schedule="inverse_sqrt")
