"""LRA Retrieval (AAN, 4K per document), baseline Transformer (base_match_config.py: batch 32, 5000 steps,
lr 0.05, wd 0.1, warmup 8000; warmup > steps there, so LRA never leaves warmup; we keep its numbers)."""

from shared.lra.configs.common import lra_config
from shared.lra.train import LRAConfig


def get_config() -> LRAConfig:
    return lra_config("retrieval", batch_size=32, steps=8000, lr=0.05, weight_decay=0.1, warmup=8000, schedule="inverse_sqrt")
