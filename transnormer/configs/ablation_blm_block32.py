"""Ablation (paper, DiagAttention block size) on the bidirectional LM: blocks of 32 tokens instead of 64."""

from transnormer.config import LMExperiment, blm_experiment, with_model


def get_config() -> LMExperiment:
    return with_model(blm_experiment("t1"), block_size=32)
