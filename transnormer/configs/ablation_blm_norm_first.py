"""Ablation (paper, layer order) on the bidirectional LM: NormAttention early, DiagAttention late."""

from transnormer.experiment import blm_experiment

config = blm_experiment("t1")
config.model.diag_first = False
