"""Flickr-SoundNet 144k -> Flickr-SoundNet test (the paper's Flickr-SoundNet comparison)."""
from fnac_avl.configs._common import paper_config


def get_config():
    return paper_config("flickr_144k", "flickr")
