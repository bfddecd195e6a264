"""MS3, resnet50, without TPAVI (paper ablation: the visual-only baseline)."""
from avsbench.configs.base import paper_config

config = paper_config("ms3", "resnet50", tpavi=False)
