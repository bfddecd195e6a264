"""Ablation on Flickr-SoundNet 10k -> Flickr test:
false negative suppression only (audio and image adjacency); the FNAC terms switched as in the paper's ablation.
"""

from fnac_avl.configs.common import paper_config

config = paper_config("flickr_10k", "flickr")
config.loss.tne = False
