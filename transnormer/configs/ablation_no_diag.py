"""Ablation (paper, the role of DiagAttention): the T1 LM with NormAttention in every layer."""

from transnormer.experiment import alm_experiment

config = alm_experiment("t1")
config.model.num_diag_layers = 0
