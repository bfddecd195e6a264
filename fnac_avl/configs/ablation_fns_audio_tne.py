"""Ablation on Flickr-SoundNet 10k -> Flickr test:
audio-adjacency FNS and TNE; the FNAC terms switched as in the paper's ablation.
"""

from fnac_avl.configs.common import paper_config

config = paper_config("flickr_10k", "flickr")
config.loss.fns_image = False
