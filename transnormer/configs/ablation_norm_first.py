"""Ablation (paper, layer order): NormAttention in the early layers, DiagAttention in the later ones."""

from transnormer.experiment import alm_experiment

config = alm_experiment("t1")
config.model.diag_first = False
