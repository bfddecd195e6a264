"""MS3, pvt_v2_b5, TPAVI without the AVM loss (paper ablation of L_AVM)."""
from avsbench.configs.base import paper_config

config = paper_config("ms3", "pvt_v2_b5", tpavi=True, avm_weight=0.0)
