"""Smoke run on CPU: a generated Markov-chain corpus (64 words), a 2-layer TNN at width 32, 64-token
blocks, 300 updates. Same code path as wikitext103_alm.py (reader, model, trainer, evaluation); only
the data and the widths shrink. The RPE keeps the paper's structure (6 layers), at width 16.
"""

from dataclasses import replace

from shared.optim import OptimConfig
from shared.schedules import ScheduleConfig
from tnn.config import DataConfig, LMConfig, TnnConfig, wikitext103_alm_config


def get_config(data_root: str = "runs/tnn/smoke/data/smoke_corpus") -> LMConfig:
    base = wikitext103_alm_config()
    return replace(
        base,
        data=DataConfig(data_root=data_root, tokens_per_sample=64, eval_batch_size=32, generate=True,
                        gen_words=64, gen_train_tokens=40_000, gen_eval_tokens=4_000),
        model=TnnConfig(vocab_size=68, embed_dim=32, num_layers=2, glu_dim=32, rpe_dim=16, rpe_layers=6, dropout=0.0),
        train=replace(base.train, max_steps=300, batch_size=16, log_every=50, ckpt_every=300, progress=False,
                      optim=OptimConfig(name="adam", lr=3e-3, betas=(0.9, 0.98), weight_decay=0.0),
                      schedule=ScheduleConfig(name="inverse_sqrt", warmup_steps=30)),
    )
