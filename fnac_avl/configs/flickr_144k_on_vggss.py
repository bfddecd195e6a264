"""Flickr-SoundNet 144k -> VGG-SS test (cross-dataset; original README: cIoU 33.93, AUC 37.29)."""

from fnac_avl.configs.common import paper_config

config = paper_config("flickr_144k", "vggss")
