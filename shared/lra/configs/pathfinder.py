"""LRA Pathfinder (32x32, hard), baseline Transformer (base_pathfinder32_config.py: batch 512, 200 epochs of
160000 images, lr 1e-3, wd 0, one epoch of warmup, cosine decay)."""

from shared.lra.configs.common import lra_config
from shared.lra.train import LRAConfig


def get_config() -> LRAConfig:
    return lra_config("pathfinder", batch_size=512, steps=(160000 // 512) * 200, lr=1e-3, weight_decay=0.0,
                      warmup=160000 // 512, schedule="cosine")
