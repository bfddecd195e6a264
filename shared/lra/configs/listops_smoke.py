"""ListOps smoke run: generated shallow expressions (at most two operator levels, < 40 tokens), a tiny
Transformer, 800 CPU steps (about 30 s with OMP_NUM_THREADS=1; see README).

Same code path as configs/listops.py (reader, collate, encoder, head, trainer); only the data size,
expression depth/length and the model size shrink.
"""

from dataclasses import replace

from shared.lra.configs.common import lra_config
from shared.lra.train import LRAConfig


def get_config(data_dir: str = "runs/lra/data/listops_smoke") -> LRAConfig:
    base = lra_config("listops", batch_size=32, steps=800, lr=0.05, weight_decay=0.0, warmup=40,
                      schedule="inverse_sqrt", data_dir=data_dir)
    data = replace(base.data, generate_listops=True, gen_num_train=6000, gen_num_val=300, gen_num_test=500,
                   gen_max_depth=3,  # LRA's grammar with depth 3: operators nest at most twice
                   gen_max_args=5, gen_min_length=5, gen_max_length=40, max_length=40, eval_batch_size=250)
    model = replace(base.model, emb_dim=64, qkv_dim=64, mlp_dim=128, num_heads=4, num_layers=2, dropout=0.0,
                    attention_dropout=0.0)
    train = replace(base.train, log_every=50, ckpt_every=800, progress=False,
                    optim=replace(base.train.optim, lr=1e-3),
                    schedule=replace(base.train.schedule, name="cosine"))
    return replace(base, data=data, model=model, train=train)
