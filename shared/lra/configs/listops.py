"""LRA ListOps, baseline Transformer (base_listops_config.py: batch 32, 5000 steps, lr 0.05, wd 0.1, warmup 1000)."""

from shared.lra.configs.common import lra_config

config = lra_config("listops", "data/lra_release/listops-1000", 32, 5000, 0.05, 0.1, 1000, "inverse_sqrt")
