"""Factories of the CIFAR-10 experiments; the files beside this one pick and vary them.

Recipe (mixFormer configs/cifar10/supertransformer/supernet-S.yml, subtransformer/supnet.yml,
train_*_cifar10.sh): ViT at 224 px with 16 px patches; fairseq's Adam (decoupled weight decay 0.05 on
every parameter), LR 1e-3 after 976 warm-up updates, cosine to 1e-6, 140k updates, label smoothing 0.1,
dropout 0, ReLU dropout 0.1, drop-path 0.1, fp32 (`fp16: False`). The supernet runs 64 images per GPU on
4 GPUs with betas (0.9, 0.998); the retrained sub-network 64 images on one GPU with betas (0.9, 0.999).
"""

from __future__ import annotations

from dataclasses import replace

from nas_efficient.config import ArchFields, DataConfig, NasConfig, SearchSpace, SupernetConfig
from shared.optim import OptimConfig
from shared.schedules import ScheduleConfig
from shared.trainer import TrainerConfig

# configs/cifar10/supertransformer/supernet-S.yml with acc_dataset/config_mixatt.yml's attention types
# (the relative-position softmax, attn_cal 3, is not reproduced)
CIFAR10_SPACE = dict(embed_dims=[320, 384, 448], layer_nums=[12, 13, 14], ffn_dims=[1792, 1568, 1344, 896, 672],
                     heads=[5, 6, 7], attention=["cosformer", "softmax"])

# configs/cifar10/subtransformer/subnet-S.yml (its FFN widths 1152 and 1536 come from an earlier search
# space; they fit in the supernet, which is all retraining needs)
SUBNET_S = ArchFields(
    embed_dim=384,
    ffn_dims=[1152, 1344, 1152, 1344, 1536, 1536, 1536, 1536, 1536, 1536, 1536, 1344, 1536],
    heads=[6, 6, 5, 7, 5, 5, 5, 6, 6, 7, 7, 6, 7],
    attention=["softmax"] * 13,
)


def recipe_training(batch_size: int, betas: tuple[float, float], find_unused_parameters: bool) -> TrainerConfig:
    return TrainerConfig(
        max_steps=140_000, batch_size=batch_size, precision="fp32", log_every=100, eval_every=10_000,
        ckpt_every=2_000, find_unused_parameters=find_unused_parameters,
        optim=OptimConfig(name="adam", lr=1e-3, betas=betas, weight_decay=0.05),
        # fairseq's cosine schedule warms up from --warmup-init-lr 1e-6, then decays from --max-lr 1e-3 to --lr 1e-6
        # (the yml's `lr`); its `min-lr: 1e-07` only stops training early, which a 140k-update cosine never reaches
        schedule=ScheduleConfig(name="cosine", warmup_steps=976, min_lr_ratio=1e-3, warmup_start_ratio=1e-3),
    )


def cifar10_supernet() -> NasConfig:
    """Weight-sharing supernet: one random sub-network per update, 64 images x 4 GPUs."""
    return NasConfig(mode="supernet", space=SearchSpace(**CIFAR10_SPACE), model=SupernetConfig(),
                     data=DataConfig(), train=recipe_training(256, (0.9, 0.998), find_unused_parameters=True))


def cifar10_subnet(arch: ArchFields = SUBNET_S, arch_file: str = "") -> NasConfig:
    """Retraining one sub-network from scratch (supnet.yml): 64 images on one GPU, betas (0.9, 0.999)."""
    return replace(cifar10_supernet(), mode="subnet", arch=arch, arch_file=arch_file,
                   train=recipe_training(64, (0.9, 0.999), find_unused_parameters=False))


def smoke() -> NasConfig:
    """scikit-learn's 8x8 digits, 4x4 patches (4 tokens + cls), a tiny space with both attention types."""
    return NasConfig(
        mode="supernet",
        space=SearchSpace([16, 24, 32], [1, 2, 3], [32, 64], [1, 2], ["cosformer", "softmax"]),
        model=SupernetConfig(image_size=8, patch_size=4, in_chans=1, num_classes=10, head_dim=8, drop_path=0.0,
                             activation_dropout=0.0),
        data=DataConfig(dataset="digits", augment=False, eval_batch_size=512),
        label_smoothing=0.0,
        train=TrainerConfig(
            max_steps=300, batch_size=64, log_every=50, ckpt_every=300, progress=False,
            optim=OptimConfig(name="adam", lr=3e-3, betas=(0.9, 0.998), weight_decay=0.0),
            schedule=ScheduleConfig(name="cosine", warmup_steps=20),
        ),
    )
