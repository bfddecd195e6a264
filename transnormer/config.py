"""Every config schema of the TransNormer reproduction, and the factories the config files build on.

- `TransNormerConfig`: the LMs (fairseq-evo `transnormer_t1/t2`, `roberta_transnormer_t1/t2`).
- `LMExperiment` (`DataConfig`, `TransNormerConfig`, `TrainerConfig`): language modelling on WikiText-103.
- `LRAModelConfig`, `TransNormerLRAConfig` and `LRA_ROWS`: the Long Range Arena encoders (OpenNLPLab/lra).
Dataset paths come from `shared.paths` when a config is built, so `REPRO_DATA` / `--data-root` moves them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from shared import paths
from shared.lra import tasks as lra_tasks
from shared.lra.train import DataConfig as LRADataConfig
from shared.optim import OptimConfig
from shared.schedules import ScheduleConfig
from shared.trainer import TrainerConfig
from transnormer.attention import Kernel


@dataclass
class TransNormerConfig:
    vocab_size: int = 267_744  # fairseq's WikiText-103 dictionary (padded to a multiple of 8)
    embed_dim: int = 512
    num_layers: int = 6
    num_heads: int = 8
    num_diag_layers: int = -1  # DiagAttention in the first layers; -1: half of them (the paper's arrangement)
    diag_first: bool = True  # False: NormAttention first, DiagAttention last (an ablation of the order)
    block_size: int = 64  # DiagAttention's block
    diag_softmax: bool = False  # T1: ReLU + norm in the blocks; T2: softmax
    kernel: Kernel = "elu"  # T1: elu; T2: 1+elu
    attention_norm: str = "simplermsnorm"
    scaling: bool = False  # True: vanilla (scaled) linear attention instead of NormAttention (ablation)
    layer_norm: str = "simplermsnorm"  # the pre-norms and the final norm
    glu_hidden: int = -1  # -1: int(8/3 * dim), as the original
    glu_act: str = "identity"
    positional: bool = True  # the relative positional transform on q, k (learned rotary + householder)
    max_positions: int = 512
    dropout: float = 0.1
    attention_dropout: float = 0.0
    chunk_size: int = 64  # NormAttention's chunked causal form
    padding_idx: int = 1
    tie_embeddings: bool = True
    causal: bool = True
    # the bidirectional LM: the original passes no padding mask into its layers (padding tokens are keys and
    # values after the first layer); True masks them in every attention instead
    mask_padding_in_layers: bool = False

    @property
    def diag_layers(self) -> int:
        return self.num_layers // 2 if self.num_diag_layers < 0 else self.num_diag_layers

    def mixer_kinds(self) -> list[str]:
        """'diag' or 'norm' per layer, in order."""
        n_diag = self.diag_layers
        kinds = ["diag"] * n_diag + ["norm"] * (self.num_layers - n_diag)
        return kinds if self.diag_first else kinds[::-1]



@dataclass
class LRAModelConfig:
    """OpenNLPLab/lra's `transnormer` model (configs/model/transnormer.yaml + the experiment files)."""

    embed_dim: int = 128
    num_layers: int = 4  # pairs of (attention, feed-forward) blocks; the first half use DiagAttention
    num_heads: int = 8
    block_size: int = 64
    diag_softmax: bool = True
    kernel: Kernel = "1+elu"
    norm: Literal["layernorm", "batchnorm"] = "layernorm"
    expand_ratio_ffn: float = 1.0
    dropout: float = 0.0
    pooling: Literal["mean", "cls", "masked_mean", "last"] = "mean"
    mlp_dim: int = 128  # classifier head


def wikitext_words_root() -> str:
    """The official word-level release as it unzips (wikitext-103-v1.zip): wiki.{train,valid,test}.tokens."""
    return str(paths.dataset("wikitext-103") / "raw" / "wikitext-103")


def wikitext_bpe_root() -> str:
    """GPT-2 BPE ids as text (wiki.{split}.tokens) beside the GPT-2 dict.txt (python -m transnormer.prepare --bpe)."""
    return str(paths.dataset("wikitext-103") / "bpe")


@dataclass
class DataConfig:
    data_root: str = field(default_factory=wikitext_words_root)  # wiki.{train,valid,test}.tokens (+ dict.txt)
    tokens_per_sample: int = 512
    generate: bool = False  # write a generated corpus into `data_root` when it is missing (smoke runs)
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
    parameter, as fairseq's Adam), lr 5e-4, inverse_sqrt with 8000 warmup updates from 1e-7, 512 tokens per sample,
    128 samples per update (8 per GPU x update_freq), 100k updates, no clipping, dropout 0.1, fp32."""
    t2 = variant == "t2"
    model = TransNormerConfig(kernel="1+elu" if t2 else "elu", diag_softmax=t2)
    train = TrainerConfig(
        max_steps=100_000, batch_size=128, log_every=100, ckpt_every=2000, eval_every=10_000,
        optim=OptimConfig(name="adamw", lr=5e-4, weight_decay=0.01, betas=(0.9, 0.98), eps=1e-8, decay_1d_params=True),
        # warm-up from train_alm.sh's --warmup-init-lr 1e-7
        schedule=ScheduleConfig(name="inverse_sqrt", warmup_steps=8000, warmup_start_ratio=1e-7 / 5e-4),
    )
    return LMExperiment("alm", DataConfig(), model, train)


def blm_experiment(variant: Literal["t1", "t2"]) -> LMExperiment:
    """OpenNLPLab/Transnormer train_blm.sh on roberta_transnormer_t1/t2 (RoBERTa-base sizes, 12 heads):
    adam (0.9, 0.98) eps 1e-6, weight decay 0.01, peak lr 5e-4, polynomial decay after 3000 warmup
    updates, 50k updates, 512 samples of 512 tokens per update, dropout 0.1, attention dropout 0.1.
    Padding is not masked inside the layers, as in the original."""
    t2 = variant == "t2"
    model = TransNormerConfig(
        vocab_size=50_265, embed_dim=768, num_layers=12, num_heads=12, kernel="1+elu" if t2 else "elu",
        diag_softmax=t2, layer_norm="simplermsnorm", dropout=0.1, attention_dropout=0.1, causal=False,
        max_positions=512,
    )
    train = TrainerConfig(
        max_steps=50_000, batch_size=512, log_every=100, ckpt_every=2000, eval_every=10_000,
        optim=OptimConfig(name="adamw", lr=5e-4, weight_decay=0.01, betas=(0.9, 0.98), eps=1e-6, decay_1d_params=True),
        schedule=ScheduleConfig(name="polynomial", warmup_steps=3000, power=1.0),
    )
    return LMExperiment("blm", DataConfig(data_root=wikitext_bpe_root()), model, train)


def with_model(exp: LMExperiment, **changes) -> LMExperiment:
    """A variant of an experiment with some model fields changed (the ablations)."""
    return replace(exp, model=replace(exp.model, **changes))


def smoke_experiment(data_root: str = "runs/transnormer/smoke/data/smoke_corpus") -> LMExperiment:
    """The T1 autoregressive LM path on a generated corpus in WikiText's layout, 2 layers (one DiagAttention,
    one NormAttention) at width 64, 300 CPU steps."""
    base = alm_experiment("t1")
    return replace(
        base,
        data=replace(base.data, data_root=data_root, generate=True, tokens_per_sample=64, eval_batch_size=32),
        model=replace(base.model, vocab_size=72, embed_dim=64, num_layers=2, num_heads=4, block_size=16, chunk_size=16,
                      max_positions=64, dropout=0.0),
        train=replace(base.train, max_steps=300, batch_size=16, log_every=50, eval_every=0, ckpt_every=300,
                      progress=False, optim=replace(base.train.optim, lr=3e-3),
                      schedule=replace(base.train.schedule, name="cosine", warmup_steps=30)),
    )


@dataclass
class TransNormerLRAConfig:
    data: LRADataConfig = field(default_factory=LRADataConfig)
    model: LRAModelConfig = field(default_factory=LRAModelConfig)
    train: TrainerConfig = field(default_factory=TrainerConfig)


@dataclass(frozen=True)
class LraRow:
    """One task of OpenNLPLab/Transnormer script_lra.py (and warmup, dropout of OpenNLPLab/lra's yaml)."""

    batch_size: int
    lr: float
    num_layers: int
    embed_dim: int
    expand_ratio_ffn: float
    num_heads: int
    warmup_steps: int
    dropout: float


LRA_ROWS: dict[str, LraRow] = {
    "image": LraRow(batch_size=200, lr=1e-3, num_layers=12, embed_dim=128, expand_ratio_ffn=2.0, num_heads=4,
                    warmup_steps=175, dropout=0.2),
    "text": LraRow(batch_size=64, lr=1e-3, num_layers=4, embed_dim=128, expand_ratio_ffn=4.0, num_heads=8,
                   warmup_steps=80, dropout=0.0),
    "listops": LraRow(batch_size=128, lr=1e-4, num_layers=4, embed_dim=128, expand_ratio_ffn=4.0, num_heads=8,
                      warmup_steps=1000, dropout=0.0),
    "pathfinder": LraRow(batch_size=128, lr=5e-4, num_layers=4, embed_dim=128, expand_ratio_ffn=1.0, num_heads=8,
                         warmup_steps=312, dropout=0.0),
    "pathx": LraRow(batch_size=64, lr=1e-4, num_layers=6, embed_dim=64, expand_ratio_ffn=2.5, num_heads=8,
                    warmup_steps=312, dropout=0.0),
    "retrieval": LraRow(batch_size=64, lr=1e-3, num_layers=4, embed_dim=128, expand_ratio_ffn=4.0, num_heads=4,
                        warmup_steps=800, dropout=0.0),
}


def lra_experiment(task: str, variant: Literal["t1", "t2"]) -> TransNormerLRAConfig:
    """AdamW without weight decay, cosine with warmup over 50k steps; Pathfinder reads the last position
    (OpenNLPLab/lra); Text at 4096 bytes (its dataset.l_max)."""
    if task not in LRA_ROWS:
        raise ValueError(f"unknown LRA task {task!r}; expected one of {', '.join(LRA_ROWS)}")
    r = LRA_ROWS[task]
    t2 = variant == "t2"
    model = LRAModelConfig(embed_dim=r.embed_dim, num_layers=r.num_layers, num_heads=r.num_heads, diag_softmax=t2,
                           kernel="1+elu" if t2 else "elu", norm="batchnorm", expand_ratio_ffn=r.expand_ratio_ffn,
                           dropout=r.dropout, mlp_dim=r.embed_dim, pooling="last" if task == "pathfinder" else "mean")
    train = TrainerConfig(
        max_steps=50_000, batch_size=r.batch_size, log_every=100, ckpt_every=2000, eval_every=5000,
        sync_batchnorm=True,  # the script's `synbatch` over the whole batch, on 2-8 GPUs
        optim=OptimConfig(name="adamw", lr=r.lr, weight_decay=0.0),
        schedule=ScheduleConfig(name="cosine", warmup_steps=r.warmup_steps),
    )
    data = LRADataConfig(task=task, data_dir=str(lra_tasks.data_dir(task)), max_length=4096 if task == "text" else 0,
                         split_seed=None)
    return TransNormerLRAConfig(data, model, train)


def lra_listops_smoke(data_dir: str = "runs/transnormer/data/listops_smoke") -> TransNormerLRAConfig:
    """ListOps on generated shallow expressions with a tiny TransNormer (one DiagAttention, one NormAttention)."""
    base = lra_experiment("listops", "t2")
    return replace(
        base,
        data=replace(base.data, data_dir=data_dir, generate_listops=True, gen_num_train=2000, gen_num_val=200,
                     gen_num_test=200, gen_max_depth=3, gen_max_args=5, gen_min_length=5, gen_max_length=40,
                     max_length=40, eval_batch_size=200),
        model=replace(base.model, embed_dim=32, num_layers=2, num_heads=4, block_size=8, norm="layernorm",
                      expand_ratio_ffn=2.0, mlp_dim=64),
        train=replace(base.train, max_steps=200, batch_size=32, eval_every=0, ckpt_every=200, log_every=50,
                      progress=False, optim=replace(base.train.optim, lr=3e-3),
                      schedule=replace(base.train.schedule, warmup_steps=20)),
    )
