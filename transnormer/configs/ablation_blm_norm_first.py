"""Ablation (paper, layer order) on the bidirectional LM: NormAttention early, DiagAttention late."""

from transnormer.config import LMExperiment, blm_experiment, with_model


def get_config() -> LMExperiment:
    return with_model(blm_experiment("t1"), diag_first=False)
