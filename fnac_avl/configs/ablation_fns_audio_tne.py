"""Ablation on Flickr-SoundNet 10k -> Flickr test: audio-adjacency FNS and TNE."""
from fnac_avl.configs._common import paper_config


def get_config():
    return paper_config("flickr_10k", "flickr", fns_image=False)
