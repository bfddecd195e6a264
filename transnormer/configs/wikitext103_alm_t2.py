"""WikiText-103 autoregressive LM, TransNormer T2 (arch transnormer_t2: softmax DiagAttention, 1+elu NormAttention)."""

from transnormer.experiment import alm_experiment

config = alm_experiment("t2")
