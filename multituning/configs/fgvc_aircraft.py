"""FGVC-Aircraft (100 variants; trainval 6,667 / test 3,333). Paper: AMF +1.69 points over standard fine-tuning."""

from multituning.configs.common import paper_config

config = paper_config("fgvc_aircraft", finetune_steps=5000)
