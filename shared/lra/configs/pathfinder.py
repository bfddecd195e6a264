"""LRA Pathfinder (32x32, hard), baseline Transformer (base_pathfinder32_config.py: batch 512, 200 epochs of
160000 images, lr 1e-3, wd 0, one epoch of warmup, cosine decay)."""

from shared.lra.configs.common import lra_config

config = lra_config("pathfinder", "data/lra_release/pathfinder32", 512, (160000 // 512) * 200, 1e-3, 0.0, 160000 // 512,
                    "cosine")
