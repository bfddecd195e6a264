"""Ablation (paper, scaling vs normalisation): the T1 LM with every NormAttention replaced by the scaled
(vanilla) linear attention with the 1+elu kernel: denominator kept, no output norm."""

from transnormer.experiment import alm_experiment

config = alm_experiment("t1")
config.model.scaling = True
config.model.kernel = "1+elu"
