"""Ablation (paper, layer order): NormAttention in the early layers, DiagAttention in the later ones."""

from transnormer.config import LMExperiment, alm_experiment, with_model


def get_config() -> LMExperiment:
    return with_model(alm_experiment("t1"), diag_first=False)
