"""S4, pvt_v2_b5, TPAVI with the AVM loss (KL, lambda 0.5; paper ablation of L_AVM)."""
from avsbench.configs._common import paper_config


def get_config():
    return paper_config("s4", "pvt_v2_b5", avm="kl", avm_weight=0.5)
