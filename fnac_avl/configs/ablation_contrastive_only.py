"""Ablation on Flickr-SoundNet 10k -> Flickr test:
the EZ-VSL-style contrastive baseline without FNAC terms; the FNAC terms switched as in the paper's ablation.
"""

from fnac_avl.configs.common import paper_config

config = paper_config("flickr_10k", "flickr")
config.loss.fns_audio = False
config.loss.fns_image = False
config.loss.tne = False
