"""Describable Textures, partition 1 (47 classes; members on train1 1,880, policy on val1 1,880 / test1 1,880). Paper: AMF +2.79 points."""

from multituning.configs._common import paper_config


def get_config():
    return paper_config("dtd", finetune_steps=3000)
