"""LRA Path-X (128x128 = 16K tokens, hard), baseline Transformer (base_pathfinder128_config.py: batch 64,
lr 1e-3, wd 0, gradient clipping 1.0, cosine decay)."""

from shared.lra.configs.common import lra_config

config = lra_config("pathx", "data/lra_release/pathfinder128", 64, (160000 // 64) * 200, 1e-3, 0.0, 160000 // 64, "cosine")
config.train.clip_grad_norm = 1.0
