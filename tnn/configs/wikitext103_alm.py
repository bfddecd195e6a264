"""Autoregressive LM on WikiText-103, `tnn_v2_decay_99_pre` (OpenNLPLab/Tnn script_alm.sh / train_alm.sh).

fairseq recipe: 8 GPUs x batch 8 x update_freq 2 = 128 sequences of 512 tokens per update, 50k updates,
Adam (0.9, 0.98), lr 5e-4, inverse_sqrt with 4000 warmup updates (from 1e-7), weight decay 0.2,
clip-norm 1.0, dropout 0.1, tied input/output embedding, GPT-2 BPE dictionary (50264 symbols).
Our trainer's warmup starts at 0 instead of 1e-7 (shared.schedules) and Adam's weight decay is
decoupled (AdamW) where fairseq's `adam` adds it to the gradient; `make tnn` runs the exact recipe
through fairseq (tnn/fairseq_tnn).
"""

from shared.optim import OptimConfig
from shared.schedules import ScheduleConfig
from shared.trainer import TrainerConfig
from tnn.model import alm_config
from tnn.train import DataConfig, LMConfig

config = LMConfig(
    data=DataConfig(data_dir="data-bin/wikitext-103", tokens_per_sample=512, eval_batch_size=8),
    model=alm_config(vocab_size=50264),
    train=TrainerConfig(
        max_steps=50_000, batch_size=128, clip_grad_norm=1.0, precision="bf16", log_every=100, ckpt_every=2000,
        optim=OptimConfig(name="adamw", lr=5e-4, betas=(0.9, 0.98), weight_decay=0.2),
        schedule=ScheduleConfig(name="inverse_sqrt", warmup_steps=4000),
    ),
)
