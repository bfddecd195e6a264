"""LRA Text (IMDB bytes, 4K), baseline Transformer (base_tc_config.py: batch 32, 20000 steps, lr 0.05, wd 0.1, warmup 8000)."""

from shared.lra.configs.common import lra_config

config = lra_config("text", "data/aclImdb", 32, 20000, 0.05, 0.1, 8000, "inverse_sqrt")
