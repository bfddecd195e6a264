"""S4, pvt_v2_b5, without TPAVI (paper ablation: the visual-only baseline)."""
from avsbench.configs.base import paper_config

config = paper_config("s4", "pvt_v2_b5", tpavi=False)
