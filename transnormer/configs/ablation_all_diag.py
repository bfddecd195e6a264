"""Ablation (paper, how many DiagAttention layers): the T1 LM with DiagAttention in every layer."""

from transnormer.config import LMExperiment, alm_experiment, with_model


def get_config() -> LMExperiment:
    return with_model(alm_experiment("t1"), num_diag_layers=6)
