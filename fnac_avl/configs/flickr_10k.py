"""Flickr-SoundNet 10k -> Flickr-SoundNet test (paper Table 1)."""

from fnac_avl.configs.common import paper_config

config = paper_config("flickr_10k", "flickr")
