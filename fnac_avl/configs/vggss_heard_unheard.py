"""Open-set split: train on the 110 heard VGG-Sound classes (metadata/vggss_heard.txt), test on VGG-SS heard
and unheard classes (vggss_heard_test.csv, vggss_unheard_test.csv), as the paper's open-set table."""
from fnac_avl.configs._common import heard_unheard


def get_config():
    return heard_unheard()
