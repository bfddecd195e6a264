"""MS3, pvt_v2_b5, TPAVI at stages 1-4 (paper Table 1: AVS (ours))."""
from avsbench.configs.base import paper_config

config = paper_config("ms3", "pvt_v2_b5", tpavi=True, avm_weight=0.5)
