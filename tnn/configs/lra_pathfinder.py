"""LRA pathfinder with the TNN encoder (OpenNLPLab/Tnn script_lra.py); see lra_common.py."""

from tnn.configs.lra_common import tnn_lra_config

config = tnn_lra_config("pathfinder", "data/lra_release/pathfinder32")
config.model.pooling = "last"  # OpenNLPLab/lra reads the last position for Pathfinder
