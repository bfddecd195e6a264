"""LRA listops, TransNormer T2 (OpenNLPLab/Transnormer script_lra.py sizes; see transnormer/lra.py)."""

from transnormer.lra import lra_experiment

config = lra_experiment("listops", "t2")
