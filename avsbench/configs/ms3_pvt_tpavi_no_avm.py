"""MS3, pvt_v2_b5, TPAVI without the AVM loss (paper ablation of L_AVM)."""
from avsbench.configs._common import ms3_config


def get_config():
    return ms3_config("pvt_v2_b5", avm="none")
