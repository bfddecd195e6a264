"""Flickr-SoundNet 144k -> VGG-SS test (cross-dataset; original README: cIoU 33.93, AUC 37.29)."""
from fnac_avl.configs._common import paper_config


def get_config():
    return paper_config("flickr_144k", "vggss")
