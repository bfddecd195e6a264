"""VGG-Sound 144k -> VGG-SS test (the paper's VGG-SS comparison; original README: cIoU 39.50, AUC 39.66)."""

from fnac_avl.configs.common import paper_config

config = paper_config("vggss_144k", "vggss")
