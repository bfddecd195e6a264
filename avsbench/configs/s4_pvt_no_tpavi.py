"""S4, pvt_v2_b5, without TPAVI (paper ablation: the visual-only baseline)."""
from avsbench.configs._common import paper_config


def get_config():
    return paper_config("s4", "pvt_v2_b5", tpavi=False)
