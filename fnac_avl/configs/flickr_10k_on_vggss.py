"""Flickr-SoundNet 10k -> VGG-SS test (cross-dataset; original README: cIoU 35.27, AUC 38.00)."""

from fnac_avl.configs.common import paper_config

config = paper_config("flickr_10k", "vggss")
