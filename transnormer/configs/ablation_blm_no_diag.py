"""Ablation (paper, the role of DiagAttention) on the bidirectional LM: NormAttention in all 12 layers."""

from transnormer.experiment import blm_experiment

config = blm_experiment("t1")
config.model.num_diag_layers = 0
