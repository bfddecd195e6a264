"""The experiment config of `python -m transnormer.train`: data, model, trainer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from shared.optim import OptimConfig
from shared.schedules import ScheduleConfig
from shared.trainer import TrainerConfig
from transnormer.model import TransNormerConfig


@dataclass
class DataConfig:
    root: str = "data/wikitext-103"  # wiki.{train,valid,test}.tokens (+ dict.txt)
    tokens_per_sample: int = 512
    generate: bool = False  # write a generated corpus into `root` when it is missing (smoke runs)
    eval_batch_size: int = 16
    eval_splits: tuple[str, ...] = ("valid", "test")
    max_eval_blocks: int = 0  # 0: the whole split
    mask_prob: float = 0.15  # bidirectional LM: fraction of tokens masked (RoBERTa's 80/10/10 rule)


@dataclass
class LMExperiment:
    task: Literal["alm", "blm"] = "alm"
    data: DataConfig = field(default_factory=DataConfig)
    model: TransNormerConfig = field(default_factory=TransNormerConfig)
    train: TrainerConfig = field(default_factory=TrainerConfig)


def alm_experiment(variant: Literal["t1", "t2"]) -> LMExperiment:
    """OpenNLPLab/Transnormer train_alm.sh: adam (0.9, 0.98), weight decay 0.01 (decoupled, on every
    parameter, as fairseq's Adam), lr 5e-4, inverse_sqrt with 8000 warmup updates, 512 tokens per sample,
    128 samples per update (8 per GPU x update_freq), 100k updates, no clipping, dropout 0.1."""
    t2 = variant == "t2"
    model = TransNormerConfig(kernel="1+elu" if t2 else "elu", diag_softmax=t2)
    train = TrainerConfig(
        max_steps=100_000, batch_size=128, log_every=100, ckpt_every=2000, eval_every=10_000,
        optim=OptimConfig(name="adamw", lr=5e-4, weight_decay=0.01, betas=(0.9, 0.98), eps=1e-8, decay_1d_params=True),
        schedule=ScheduleConfig(name="inverse_sqrt", warmup_steps=8000),
    )
    return LMExperiment("alm", DataConfig(), model, train)


def blm_experiment(variant: Literal["t1", "t2"]) -> LMExperiment:
    """OpenNLPLab/Transnormer train_blm.sh on roberta_transnormer_t1/t2 (RoBERTa-base sizes, 12 heads):
    adam (0.9, 0.98) eps 1e-6, weight decay 0.01, peak lr 5e-4, polynomial decay after 3000 warmup
    updates, 50k updates, 512 samples of 512 tokens per update, dropout 0.1, attention dropout 0.1."""
    t2 = variant == "t2"
    model = TransNormerConfig(
        vocab_size=50_265, dim=768, num_layers=12, num_heads=12, kernel="1+elu" if t2 else "elu", diag_softmax=t2,
        layer_norm="simplermsnorm", dropout=0.1, attention_dropout=0.1, causal=False, max_positions=512,
    )
    train = TrainerConfig(
        max_steps=50_000, batch_size=512, log_every=100, ckpt_every=2000, eval_every=10_000,
        optim=OptimConfig(name="adamw", lr=5e-4, weight_decay=0.01, betas=(0.9, 0.98), eps=1e-6, decay_1d_params=True),
        schedule=ScheduleConfig(name="polynomial", warmup_steps=3000, power=1.0),
    )
    return LMExperiment("blm", DataConfig(root="data/wikitext-103-bpe"), model, train)
