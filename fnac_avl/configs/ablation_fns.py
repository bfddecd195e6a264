"""Ablation on Flickr-SoundNet 10k -> Flickr test: false negative suppression only (audio and image adjacency)."""
from fnac_avl.configs._common import paper_config


def get_config():
    return paper_config("flickr_10k", "flickr", tne=False)
