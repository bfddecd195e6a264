"""Fashion-MNIST (train 60,000 / test 10,000, grey -> 3 channels, 224 px). Paper: AMF comparable to standard fine-tuning."""

from multituning.configs._common import paper_config


def get_config():
    return paper_config("fashion_mnist", finetune_steps=7500)
