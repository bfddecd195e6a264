"""MS3, resnet50, TPAVI at stages 1-4 with the AVM-AV loss (KL, lambda 0.5): paper Table 1, as train.sh."""
from avsbench.configs._common import ms3_config


def get_config():
    return ms3_config("resnet50")
