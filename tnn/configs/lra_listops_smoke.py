"""ListOps smoke with the TNN encoder: the shared generated shallow ListOps (< 40 tokens), 2 layers at
width 32, 400 CPU steps. Same code path as lra_listops.py."""

from shared.lra.train import LRAConfig
from tnn.config import lra_listops_smoke_config


def get_config() -> LRAConfig:
    return lra_listops_smoke_config("runs/tnn/data/listops_smoke")
