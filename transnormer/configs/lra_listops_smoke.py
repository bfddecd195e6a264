"""ListOps on generated shallow expressions with a tiny TransNormer (one DiagAttention, one NormAttention)."""

from transnormer.lra import lra_experiment

config = lra_experiment("listops", "t2")
config.data.data_dir = "runs/transnormer_lra/data/listops_smoke"
config.data.generate_listops = True
config.data.gen_num_train = 2000
config.data.gen_num_val = 200
config.data.gen_num_test = 200
config.data.gen_max_depth = 3
config.data.gen_max_args = 5
config.data.gen_min_length = 5
config.data.gen_max_length = 40
config.data.max_length = 40
config.data.eval_batch_size = 200
config.model.dim = 32
config.model.num_layers = 2
config.model.num_heads = 4
config.model.block_size = 8
config.model.norm = "layernorm"
config.model.expand_ratio_ffn = 2.0
config.model.mlp_dim = 64
config.train.max_steps = 200
config.train.batch_size = 32
config.train.optim.lr = 3e-3
config.train.schedule.warmup_steps = 20
config.train.eval_every = 0
config.train.ckpt_every = 200
config.train.log_every = 50
config.train.progress = False
