"""Open-set split: train on the 110 heard VGG-Sound classes (metadata/vggss_heard.txt), test on VGG-SS heard
and unheard classes (vggss_heard_test.csv, vggss_unheard_test.csv), as the paper's open-set table."""

from fnac_avl.configs.common import META, paper_config

config = paper_config("vggss_heard", "vggss_heard")
config.data.extra_testset = "vggss_unheard"
config.data.extra_test_csv = f"{META}/vggss_unheard_test.csv"
