"""ListOps smoke with the TNN encoder: the shared generated shallow ListOps (< 40 tokens), 2 layers at
width 32, 400 CPU steps. Same code path as lra_listops.py."""

from shared.lra.configs.listops_smoke import config as _shared_smoke
from tnn.configs.lra_common import tnn_lra_config

config = tnn_lra_config("listops", "runs/tnn/data/listops_smoke")
config.data = _shared_smoke.data
config.data.data_dir = "runs/tnn/data/listops_smoke"
config.model.dim = 32
config.model.layers = 2
config.model.rpe_dim = 16
config.model.mlp_dim = 64
config.train.max_steps = 400
config.train.batch_size = 32
config.train.ckpt_every = 400
config.train.log_every = 50
config.train.progress = False
config.train.optim.lr = 3e-3
config.train.schedule.warmup_steps = 40
