"""Stanford Cars (196 classes; train 8,144 / test 8,041). Paper: AMF comparable to standard fine-tuning."""

from multituning.configs._common import paper_config


def get_config():
    return paper_config("stanford_cars", finetune_steps=6400)
