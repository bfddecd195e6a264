"""LRA Path-X (128x128 = 16K tokens, hard), baseline Transformer (base_pathfinder128_config.py: batch 64,
lr 1e-3, wd 0, gradient clipping 1.0, cosine decay)."""

from shared.lra.configs.common import lra_config
from shared.lra.train import LRAConfig


def get_config() -> LRAConfig:
    return lra_config("pathx", batch_size=64, steps=(160000 // 64) * 200, lr=1e-3, weight_decay=0.0, warmup=160000 // 64,
                      schedule="cosine", clip_grad_norm=1.0)
