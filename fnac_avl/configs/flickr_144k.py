"""Flickr-SoundNet 144k -> Flickr-SoundNet test (the paper's Flickr-SoundNet comparison)."""

from fnac_avl.configs.common import paper_config

config = paper_config("flickr_144k", "flickr")
