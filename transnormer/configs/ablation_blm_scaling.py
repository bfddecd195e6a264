"""Ablation (paper, scaling vs normalisation) on the bidirectional LM: every NormAttention replaced by the
scaled (vanilla) linear attention with the 1+elu kernel (denominator kept, no output norm)."""

from transnormer.config import LMExperiment, blm_experiment, with_model


def get_config() -> LMExperiment:
    return with_model(blm_experiment("t1"), scaling=True, kernel="1+elu")
