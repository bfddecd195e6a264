"""WikiText-103 autoregressive LM, TransNormer T1 (fairseq-evo arch transnormer_t1: ReLU DiagAttention,
elu NormAttention, 6 layers of width 512, 8 heads, blocks of 64)."""

from transnormer.config import LMExperiment, alm_experiment


def get_config() -> LMExperiment:
    return alm_experiment("t1")
