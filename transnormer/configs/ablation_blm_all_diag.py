"""Ablation (paper, how many DiagAttention layers) on the bidirectional LM: DiagAttention in all 12 layers."""

from transnormer.experiment import blm_experiment

config = blm_experiment("t1")
config.model.num_diag_layers = 12
