"""Ablation (paper, the role of DiagAttention) on the bidirectional LM: NormAttention in all 12 layers."""

from transnormer.config import LMExperiment, blm_experiment, with_model


def get_config() -> LMExperiment:
    return with_model(blm_experiment("t1"), num_diag_layers=0)
