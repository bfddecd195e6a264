"""Ablation (paper, scaling vs normalisation) on the bidirectional LM: every NormAttention replaced by the
scaled (vanilla) linear attention with the 1+elu kernel (denominator kept, no output norm)."""

from transnormer.experiment import blm_experiment

config = blm_experiment("t1")
config.model.scaling = True
config.model.kernel = "1+elu"
