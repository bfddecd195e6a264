"""MS3, pvt_v2_b5, TPAVI + AVM-AV, initialised from the trained S4 model (--load_s4_params): the best
checkpoint of `make avsbench`'s s4_pvt_tpavi run (override with --set init_from=PATH)."""
from avsbench.configs._common import ms3_config


def get_config():
    return ms3_config("pvt_v2_b5", init_from_s4=True)
