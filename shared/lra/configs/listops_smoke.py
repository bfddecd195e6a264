"""ListOps smoke run: generated shallow expressions (at most two operator levels, < 40 tokens), a tiny
Transformer, 800 CPU steps (about 30 s with OMP_NUM_THREADS=1; see README).

Same code path as configs/listops.py (reader, collate, encoder, head, trainer); only the data size,
expression depth/length and the model size shrink.
"""

from shared.lra.configs.common import lra_config

config = lra_config("listops", "runs/lra/data/listops_smoke", 32, 800, 0.05, 0.0, 40, "inverse_sqrt")
config.data.generate_listops = True
config.data.gen_num_train = 6000
config.data.gen_num_val = 300
config.data.gen_num_test = 500
config.data.gen_max_depth = 3  # LRA's grammar with depth 3: operators nest at most twice
config.data.gen_max_args = 5
config.data.gen_min_length = 5
config.data.gen_max_length = 40
config.data.max_length = 40
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
config.train.ckpt_every = 800
config.train.progress = False
