"""Every config schema of the TNN reproduction, and the factories the config files build on.

- `TnnConfig`: the LM backbone (autoregressive `tnn_v2_decay_99_pre`, bidirectional `roberta_tnn_v2_decay_99`).
- `LMConfig` (`DataConfig`, `TnnConfig`, `TrainerConfig`): language modelling on fairseq-binarized data.
- `TnnLRAConfig` and `LRA_ROWS`: the Long Range Arena encoders (OpenNLPLab/Tnn script_lra.py), run by
  the shared LRA harness (`shared.lra.train.LRAConfig`).
- `TnnVitConfig`, `ImageNetConfig`: the DeiT-style image classifier and its ImageNet recipe (OpenNLPLab/im).
Dataset paths come from `shared.paths` when a config is built, so `REPRO_DATA` / `--data-root` moves them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from shared import paths
from shared.lra import tasks as lra_tasks
from shared.lra.classifier import Pooling
from shared.lra.train import DataConfig as LRADataConfig
from shared.lra.train import LRAConfig
from shared.optim import OptimConfig
from shared.schedules import ScheduleConfig
from shared.trainer import TrainerConfig

WIKITEXT_BPE = ("wikitext-103", "bin", "gpt2")  # fairseq-preprocess output of the GPT-2 BPE text


def wikitext_bpe_root() -> str:
    return str(paths.dataset(WIKITEXT_BPE[0]).joinpath(*WIKITEXT_BPE[1:]))


# ----------------------------------------------------------------------------------------------
# language models


@dataclass
class TnnConfig:
    vocab_size: int = 50264
    embed_dim: int = 512
    num_layers: int = 7
    num_heads: int = 1
    expand_ratio: float = 3.0  # GTU inner width / embed_dim
    glu_dim: int = 512
    causal: bool = True
    prenorm: bool = True
    norm: str = "simplermsnorm"  # the blocks' norms
    use_decay: bool = True
    gamma: float = 0.99
    rpe_dim: int = 64
    rpe_layers: int = 6
    rpe_act: str = "relu"
    rpe_residual: bool = False
    dropout: float = 0.1
    padding_idx: int = 1  # fairseq dictionaries: <s>=0 <pad>=1 </s>=2 <unk>=3
    scale_embedding: bool = True  # fairseq's embed_scale = sqrt(embed_dim)
    embed_norm: bool = False  # RoBERTa's layernorm_embedding
    final_norm: bool = True  # fairseq decoder's final LayerNorm (pre-norm models)


def alm_config(**overrides) -> TnnConfig:
    """`tnn_v2_decay_99_pre`: 7 layers, d 512, 1 head, GTU x3, RPE 6 x 64, lambda 0.99, pre-norm."""
    return TnnConfig(**overrides)


def blm_config(**overrides) -> TnnConfig:
    """`roberta_tnn_v2_decay_99`: RoBERTa-base widths (12 x 768), bidirectional, post-norm, embedding LayerNorm."""
    base = dict(embed_dim=768, num_layers=12, glu_dim=768, causal=False, prenorm=False, scale_embedding=False,
                embed_norm=True, final_norm=False, vocab_size=50265)
    return TnnConfig(**{**base, **overrides})


@dataclass
class DataConfig:
    data_root: str = field(default_factory=wikitext_bpe_root)  # dict.txt, {train,valid,test}.{bin,idx}
    tokens_per_sample: int = 512
    eval_batch_size: int = 8
    # smoke runs: write the generated corpus into data_root when it is missing
    generate: bool = False
    gen_words: int = 64
    gen_train_tokens: int = 60_000
    gen_eval_tokens: int = 6_000
    gen_seed: int = 0


@dataclass
class LMConfig:
    data: DataConfig = field(default_factory=DataConfig)
    model: TnnConfig = field(default_factory=TnnConfig)
    train: TrainerConfig = field(default_factory=TrainerConfig)


def wikitext103_alm_config() -> LMConfig:
    """OpenNLPLab/Tnn train_alm.sh on fairseq-evo: 128 x 512 tokens per update, 50k updates, fairseq's
    `adam` (0.9, 0.98) whose weight decay 0.2 is decoupled and applies to every parameter (AdamW with
    decay_1d_params), lr 5e-4, inverse_sqrt after 4000 warmup updates from 1e-7, clip-norm 1.0, fp32."""
    return LMConfig(
        data=DataConfig(tokens_per_sample=512, eval_batch_size=8),
        model=alm_config(vocab_size=50264),
        train=TrainerConfig(
            max_steps=50_000, batch_size=128, clip_grad_norm=1.0, precision="fp32", log_every=100, ckpt_every=2000,
            optim=OptimConfig(name="adamw", lr=5e-4, betas=(0.9, 0.98), eps=1e-8, weight_decay=0.2,
                              decay_1d_params=True),
            # warm-up from train_alm.sh's --warmup-init-lr 1e-7
            schedule=ScheduleConfig(name="inverse_sqrt", warmup_steps=4000, warmup_start_ratio=1e-7 / 5e-4),
        ),
    )


# ----------------------------------------------------------------------------------------------
# Long Range Arena


@dataclass
class TnnLRAConfig:
    embed_dim: int = 128
    num_layers: int = 4
    expand_ratio_gtu: float = 1.0
    expand_ratio_glu: float = 2.0
    use_decay: bool = True
    gamma: float = 0.9
    rpe_dim: int = 32
    rpe_layers: int = 3
    norm: Literal["batchnorm", "layernorm", "simplermsnorm"] = "batchnorm"
    prenorm: bool = True
    dropout: float = 0.1
    two_d: bool = False  # tno2d for the image-like tasks
    pooling: Pooling = "mean"
    mlp_dim: int = 256  # classifier head


@dataclass(frozen=True)
class LraRow:
    """One task of OpenNLPLab/Tnn script_lra.py (and the epochs of OpenNLPLab/lra's tno*-lra-*.yaml)."""

    embed_dim: int
    num_layers: int
    gtu_ratio: float
    glu_ratio: float
    gamma: float
    batch_size: int
    lr: float
    weight_decay: float
    dropout: float
    rpe_layers: int
    rpe_dim: int
    warmup_steps: int
    epochs: int
    train_examples: int
    two_d: bool
    pooling: Pooling = "mean"


LRA_ROWS: dict[str, LraRow] = {
    "listops": LraRow(embed_dim=128, num_layers=4, gtu_ratio=1, glu_ratio=1, gamma=1.0, batch_size=128, lr=5e-4,
                      weight_decay=0.1, dropout=0.0, rpe_layers=3, rpe_dim=32, warmup_steps=1000, epochs=40,
                      train_examples=96_000, two_d=False),
    "text": LraRow(embed_dim=128, num_layers=4, gtu_ratio=1, glu_ratio=2, gamma=0.9, batch_size=32, lr=1.05e-3,
                   weight_decay=1e-3, dropout=0.1, rpe_layers=3, rpe_dim=32, warmup_steps=3000, epochs=32,
                   train_examples=25_000, two_d=False),
    "retrieval": LraRow(embed_dim=64, num_layers=2, gtu_ratio=1, glu_ratio=1.5, gamma=0.6, batch_size=64, lr=1e-2,
                        weight_decay=1e-2, dropout=0.0, rpe_layers=3, rpe_dim=16, warmup_steps=25000, epochs=20,
                        train_examples=147_086, two_d=False),
    "image": LraRow(embed_dim=128, num_layers=12, gtu_ratio=2, glu_ratio=3, gamma=0.7, batch_size=200, lr=7e-3,
                    weight_decay=1e-3, dropout=0.1, rpe_layers=0, rpe_dim=16, warmup_steps=30000, epochs=200,
                    train_examples=45_000, two_d=True),
    # OpenNLPLab/lra reads the last position for Pathfinder
    "pathfinder": LraRow(embed_dim=64, num_layers=6, gtu_ratio=3, glu_ratio=2.5, gamma=1.0, batch_size=128, lr=1e-3,
                         weight_decay=0.0, dropout=0.0, rpe_layers=0, rpe_dim=16, warmup_steps=5000, epochs=200,
                         train_examples=160_000, two_d=True, pooling="last"),
    "pathx": LraRow(embed_dim=64, num_layers=6, gtu_ratio=3, glu_ratio=2.5, gamma=0.999, batch_size=64, lr=1e-4,
                    weight_decay=0.0, dropout=0.0, rpe_layers=0, rpe_dim=16, warmup_steps=312, epochs=100,
                    train_examples=160_000, two_d=True),
}


def lra_config(task: str) -> LRAConfig:
    """The TNN encoder on one LRA task, sized and optimised as script_lra.py; steps = epochs x examples / batch.
    Schedule: cosine with warmup (OpenNLPLab/lra); the original's cosine spans 50,000 steps, ours the run.
    BatchNorm over the whole batch on any number of processes: the script's `synbatch` on 2-8 GPUs."""
    if task not in LRA_ROWS:
        raise ValueError(f"unknown LRA task {task!r}; expected one of {', '.join(LRA_ROWS)}")
    r = LRA_ROWS[task]
    d = r.embed_dim
    return LRAConfig(
        data=LRADataConfig(task=task, data_dir=str(lra_tasks.data_dir(task))),
        model=TnnLRAConfig(embed_dim=d, num_layers=r.num_layers, expand_ratio_gtu=float(r.gtu_ratio),
                           expand_ratio_glu=float(r.glu_ratio), use_decay=True, gamma=r.gamma, rpe_dim=r.rpe_dim,
                           rpe_layers=r.rpe_layers, norm="batchnorm", prenorm=True, dropout=r.dropout,
                           two_d=r.two_d, pooling=r.pooling, mlp_dim=2 * d),
        train=TrainerConfig(
            max_steps=r.epochs * r.train_examples // r.batch_size, batch_size=r.batch_size, log_every=100,
            ckpt_every=2000, sync_batchnorm=True, optim=OptimConfig(name="adamw", lr=r.lr, weight_decay=r.weight_decay),
            schedule=ScheduleConfig(name="cosine", warmup_steps=r.warmup_steps),
        ),
    )


def lra_listops_smoke_config(data_dir: str) -> LRAConfig:
    """ListOps on generated shallow expressions (< 40 tokens), 2 layers at width 32, 400 CPU steps."""
    from shared.lra.configs.listops_smoke import get_config as shared_smoke

    base = lra_config("listops")
    return replace(
        base,
        data=replace(shared_smoke(data_dir).data, data_dir=data_dir),
        model=replace(base.model, embed_dim=32, num_layers=2, rpe_dim=16, mlp_dim=64),
        train=replace(base.train, max_steps=400, batch_size=32, ckpt_every=400, log_every=50, progress=False,
                      optim=replace(base.train.optim, lr=3e-3),
                      schedule=replace(base.train.schedule, warmup_steps=40)),
    )


# ----------------------------------------------------------------------------------------------
# images


@dataclass
class TnnVitConfig:
    image_size: int = 224
    patch_size: int = 16
    in_chans: int = 3
    num_classes: int = 1000
    embed_dim: int = 192
    num_layers: int = 12
    expand_ratio: float = 3.0
    glu_dim: int = 192
    rpe_dim: int = 48
    rpe_layers: int = 1
    gamma: float = 0.9
    prenorm: bool = True
    dropout: float = 0.0


def deit_tiny_config(**overrides) -> TnnVitConfig:
    """`tnn_vit_e3g1_tiny_rpe_l1_90_prenorm` (OpenNLPLab/im): DeiT-tiny widths (192 x 12), RPE 1 x 48, decay 0.9."""
    return TnnVitConfig(**overrides)


def deit_small_config(**overrides) -> TnnVitConfig:
    """`tno_vit_e3g1_small_rpe_l1_90_prenorm` (OpenNLPLab/im): DeiT-small widths (384 x 12), RPE 1 x 48."""
    return TnnVitConfig(**{**dict(embed_dim=384, glu_dim=384, rpe_dim=48), **overrides})


def imagenet_root() -> str:
    return str(paths.dataset("imagenet"))  # ImageFolder layout: train/<class>/*.JPEG, val/<class>/*.JPEG


@dataclass
class ImageNetConfig:
    """OpenNLPLab/im classification/main.py with OpenNLPLab/Tnn script_im.sh / train_im.sh (DeiT's recipe)."""

    data_root: str = field(default_factory=imagenet_root)
    model: TnnVitConfig = field(default_factory=TnnVitConfig)
    batch_size: int = 2048  # global: 16 GPUs x 128 (script_im.sh)
    epochs: int = 300
    lr: float = 5e-4  # per 512 images: the optimizer gets lr x batch_size / 512
    weight_decay: float = 0.05  # not on 1-D parameters (timm's create_optimizer)
    eps: float = 1e-8
    warmup_epochs: int = 10
    warmup_lr: float = 1e-6
    min_lr: float = 1e-5
    clip_grad_norm: float = 5.0
    color_jitter: float = 0.4
    auto_augment: str = "rand-m9-mstd0.5-inc1"
    interpolation: str = "bicubic"
    reprob: float = 0.25  # random erasing
    remode: str = "pixel"
    mixup: float = 0.8
    cutmix: float = 1.0
    smoothing: float = 0.1
    repeated_aug: bool = True  # 3 repeats per image and epoch (RASampler)
    eval_resize: int = 256  # bicubic, then a centre crop of image_size
    eval_batch_size: int = 128
    num_workers: int = 10
    precision: Literal["fp32", "bf16"] = "fp32"
    seed: int = 3407
    max_steps: int = 0  # 0: whole epochs; > 0 stops after that many optimizer steps (dryrun, tests)
    eval_max_batches: int = 0  # 0: the whole val split; > 0 only that many batches (dryrun on CPU)


def imagenet_config(model: TnnVitConfig) -> ImageNetConfig:
    return ImageNetConfig(model=model)
