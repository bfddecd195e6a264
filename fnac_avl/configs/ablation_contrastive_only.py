"""Ablation on Flickr-SoundNet 10k -> Flickr test: the EZ-VSL-style contrastive baseline without FNAC terms."""
from fnac_avl.configs._common import paper_config


def get_config():
    return paper_config("flickr_10k", "flickr", fns_audio=False, fns_image=False, tne=False)
