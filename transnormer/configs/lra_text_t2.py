"""LRA text, TransNormer T2 (OpenNLPLab/Transnormer script_lra.py sizes; see transnormer/lra.py)."""

from transnormer.config import TransNormerLRAConfig, lra_experiment


def get_config() -> TransNormerLRAConfig:
    return lra_experiment("text", "t2")
