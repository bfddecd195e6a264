"""ListOps smoke run: generated flat-ish expressions, a tiny Transformer, a few hundred CPU steps.

Same code path as configs/listops.py (reader, collate, encoder, head, trainer); only the data size,
expression depth/length and the model size shrink.
"""

from shared.lra.configs.common import lra_config

config = lra_config("listops", "runs/lra/data/listops_smoke", 32, 400, 0.05, 0.0, 40, "inverse_sqrt")
config.data.generate_listops = True
config.data.gen_num_train = 3000
config.data.gen_num_val = 300
config.data.gen_num_test = 500
config.data.gen_max_depth = 2  # root operator over digits: learnable in a few hundred steps
config.data.gen_max_args = 5
config.data.gen_min_length = 3
config.data.gen_max_length = 8
config.data.max_length = 8
config.data.eval_batch_size = 250
config.model.emb_dim = 64
config.model.qkv_dim = 64
config.model.mlp_dim = 128
config.model.num_heads = 4
config.model.num_layers = 2
config.model.dropout = 0.0
config.model.attention_dropout = 0.0
config.train.optim.lr = 1e-3
config.train.schedule.name = "cosine"
config.train.log_every = 50
config.train.ckpt_every = 400
config.train.progress = False
