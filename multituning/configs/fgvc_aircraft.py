"""FGVC-Aircraft (100 variants; members on train 3,334, policy on val 3,333 / test 3,333). Paper: AMF +1.69 points over standard fine-tuning."""

from multituning.configs._common import paper_config


def get_config():
    return paper_config("fgvc_aircraft", finetune_steps=5000)
