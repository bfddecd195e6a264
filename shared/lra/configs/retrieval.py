"""LRA Retrieval (AAN, 4K per document), baseline Transformer (base_match_config.py: batch 32, 5000 steps,
lr 0.05, wd 0.1, warmup 8000; warmup > steps there, so LRA never leaves warmup; we keep its numbers)."""

from shared.lra.configs.common import lra_config

config = lra_config("retrieval", "data/lra_release/tsv_data", 32, 8000, 0.05, 0.1, 8000, "inverse_sqrt")
