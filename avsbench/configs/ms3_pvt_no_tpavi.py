"""MS3, pvt_v2_b5, without TPAVI (paper ablation: the visual-only baseline)."""
from avsbench.configs._common import ms3_config


def get_config():
    return ms3_config("pvt_v2_b5", tpavi=False)
