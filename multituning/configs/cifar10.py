"""CIFAR-10 (train 50,000 / test 10,000, upsampled to 224 px). Paper: AMF comparable to standard fine-tuning."""

from multituning.configs._common import paper_config


def get_config():
    return paper_config("cifar10", finetune_steps=7800)
