"""Smoke run: the T1 autoregressive LM path (reader, model, trainer, evaluation) on a generated corpus in
WikiText's layout, with a tiny model (2 layers: one DiagAttention, one NormAttention) on CPU in about a minute."""

from transnormer.config import LMExperiment, smoke_experiment


def get_config() -> LMExperiment:
    return smoke_experiment()
