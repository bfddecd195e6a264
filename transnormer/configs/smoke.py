"""Smoke run: the T1 autoregressive LM path (reader, model, trainer, evaluation) on a generated corpus in
WikiText's layout, with a tiny model (2 layers: one DiagAttention, one NormAttention) on CPU in about a minute."""

from transnormer.experiment import alm_experiment

config = alm_experiment("t1")
config.data.root = "runs/transnormer/data/smoke_corpus"
config.data.generate = True
config.data.tokens_per_sample = 64
config.data.eval_batch_size = 32
config.model.vocab_size = 72  # set from the dictionary at run time
config.model.dim = 64
config.model.num_layers = 2
config.model.num_heads = 4
config.model.block_size = 16
config.model.chunk_size = 16
config.model.max_positions = 64
config.model.dropout = 0.0
config.train.max_steps = 300
config.train.batch_size = 16
config.train.log_every = 50
config.train.eval_every = 0
config.train.ckpt_every = 300
config.train.progress = False
config.train.optim.lr = 3e-3
config.train.schedule.name = "cosine"
config.train.schedule.warmup_steps = 30
