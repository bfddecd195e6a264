"""LRA pathx with the TNN encoder (OpenNLPLab/Tnn script_lra.py); the row is `tnn.config.LRA_ROWS["pathx"]`."""

from shared.lra.train import LRAConfig
from tnn.config import lra_config


def get_config() -> LRAConfig:
    return lra_config("pathx")
