"""ListOps on generated shallow expressions with a tiny TransNormer (one DiagAttention, one NormAttention)."""

from transnormer.config import TransNormerLRAConfig, lra_listops_smoke


def get_config() -> TransNormerLRAConfig:
    return lra_listops_smoke()
