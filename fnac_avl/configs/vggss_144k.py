"""VGG-Sound 144k -> VGG-SS test (the paper's VGG-SS comparison; original README: cIoU 39.50, AUC 39.66)."""
from fnac_avl.configs._common import paper_config


def get_config():
    return paper_config("vggss_144k", "vggss")
