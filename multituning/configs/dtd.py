"""Describable Textures, partition 1 (47 classes; train1 + val1 3,760 / test1 1,880). Paper: AMF +2.79 points."""

from multituning.configs.common import paper_config

config = paper_config("dtd", finetune_steps=3000)
