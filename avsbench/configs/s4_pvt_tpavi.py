"""S4, pvt_v2_b5, TPAVI at stages 1-4 (paper Table 1: AVS (ours)), as train.sh: no AVM loss."""
from avsbench.configs._common import paper_config


def get_config():
    return paper_config("s4", "pvt_v2_b5")
