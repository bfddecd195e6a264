"""S4, resnet50, TPAVI at stages 1-4 (paper Table 1: AVS (ours))."""
from avsbench.configs.base import paper_config

config = paper_config("s4", "resnet50", tpavi=True)
