"""Fashion-MNIST (train 60,000 / test 10,000, grey -> 3 channels, 224 px). Paper: AMF comparable to standard fine-tuning."""

from multituning.configs.common import paper_config

config = paper_config("fashion_mnist", finetune_steps=7500)
