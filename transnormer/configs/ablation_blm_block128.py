"""Ablation (paper, DiagAttention block size) on the bidirectional LM: blocks of 128 tokens instead of 64."""

from transnormer.experiment import blm_experiment

config = blm_experiment("t1")
config.model.block_size = 128
