"""Stanford Cars (196 classes; train 8,144 / test 8,041). Paper: AMF comparable to standard fine-tuning."""

from multituning.configs.common import paper_config

config = paper_config("stanford_cars", finetune_steps=6400)
