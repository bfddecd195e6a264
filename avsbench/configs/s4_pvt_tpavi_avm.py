"""S4, pvt_v2_b5, TPAVI with the AVM loss (KL, lambda 0.5; paper ablation of L_AVM)."""
from avsbench.configs.base import paper_config

config = paper_config("s4", "pvt_v2_b5", tpavi=True, avm_weight=0.5)
