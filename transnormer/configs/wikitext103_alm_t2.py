"""WikiText-103 autoregressive LM, TransNormer T2 (arch transnormer_t2: softmax DiagAttention, 1+elu NormAttention)."""

from transnormer.config import LMExperiment, alm_experiment


def get_config() -> LMExperiment:
    return alm_experiment("t2")
