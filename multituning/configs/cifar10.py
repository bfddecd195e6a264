"""CIFAR-10 (train 50,000 / test 10,000, upsampled to 224 px). Paper: AMF comparable to standard fine-tuning."""

from multituning.configs.common import paper_config

config = paper_config("cifar10", finetune_steps=7800)
