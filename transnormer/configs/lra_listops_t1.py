"""LRA listops, TransNormer T1 (OpenNLPLab/Transnormer script_lra.py sizes; see transnormer/lra.py)."""

from transnormer.lra import lra_experiment

config = lra_experiment("listops", "t1")
