"""Flickr-SoundNet 10k -> VGG-SS test (cross-dataset; original README: cIoU 35.27, AUC 38.00)."""
from fnac_avl.configs._common import paper_config


def get_config():
    return paper_config("flickr_10k", "vggss")
