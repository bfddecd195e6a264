"""Ablation (paper, how many DiagAttention layers): the T1 LM with DiagAttention in every layer."""

from transnormer.experiment import alm_experiment

config = alm_experiment("t1")
config.model.num_diag_layers = 6
