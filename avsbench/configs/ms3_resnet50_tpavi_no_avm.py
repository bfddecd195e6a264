"""MS3, resnet50, TPAVI without the AVM loss (paper ablation of L_AVM)."""
from avsbench.configs._common import ms3_config


def get_config():
    return ms3_config("resnet50", avm="none")
