"""MS3, resnet50, without TPAVI (paper ablation: the visual-only baseline)."""
from avsbench.configs._common import ms3_config


def get_config():
    return ms3_config("resnet50", tpavi=False)
