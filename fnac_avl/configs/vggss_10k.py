"""VGG-Sound 10k -> VGG-SS test (the paper's VGG-SS comparison; original README: cIoU 37.29, AUC 38.99)."""
from fnac_avl.configs._common import paper_config


def get_config():
    return paper_config("vggss_10k", "vggss")
