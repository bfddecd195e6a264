"""The experiment config: data, the K fine-tuning settings, the policy network and the two training stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from multituning.data import DataConfig
from multituning.members import MembersConfig
from shared.optim import OptimConfig
from shared.schedules import ScheduleConfig
from shared.trainer import TrainerConfig


def sgd_stage(lr: float, weight_decay: float, max_steps: int, batch_size: int) -> TrainerConfig:
    """SGD with momentum 0.9 and a cosine schedule: the stage recipe used throughout."""
    return TrainerConfig(max_steps=max_steps, batch_size=batch_size, ckpt_every=max(max_steps // 4, 1),
                         optim=OptimConfig(name="sgd", lr=lr, momentum=0.9, weight_decay=weight_decay),
                         schedule=ScheduleConfig(name="cosine"), log_every=50)


@dataclass
class PolicyConfig:
    stem_width: int = 32  # SpotTune's agent widths
    widths: tuple[int, ...] = (64, 128, 256)
    input_size: int = 112  # images are resized to this for the policy (0: as given)
    fusion: Literal["prob", "logit"] = "prob"
    temperature: float = 1.0
    hard: bool = False  # True: one member per sample (straight-through one-hot), as SpotTune routes
    gumbel: bool = False  # Gumbel noise on the policy logits while training (SpotTune samples it)
    train_splits: tuple[str, ...] = ()  # data the policy learns from; () = the members' training splits
    # the members are frozen in this stage: with no augmentation their outputs on the training set are
    # fixed, so they are computed once instead of at every step
    cache_member_logits: bool = True
    train: TrainerConfig = field(default_factory=lambda: sgd_stage(0.01, 0.001, 2000, 64))


@dataclass
class PretrainConfig:
    """Pretraining the backbone on a source dataset in the same run (the smoke profile); off for the paper."""

    enabled: bool = False
    data: DataConfig = field(default_factory=DataConfig)
    train: TrainerConfig = field(default_factory=lambda: sgd_stage(0.05, 5e-4, 1000, 64))


@dataclass
class AMFConfig:
    data: DataConfig = field(default_factory=DataConfig)
    members: MembersConfig = field(default_factory=MembersConfig)
    finetune: TrainerConfig = field(default_factory=lambda: sgd_stage(0.01, 1e-4, 5000, 64))
    policy: PolicyConfig = field(default_factory=PolicyConfig)
    pretrain: PretrainConfig = field(default_factory=PretrainConfig)
    smoke_data_root: str = ""  # when set, the smoke images are written there first (source/ and target/)
    standard_setting: str = "standard"  # the setting that is standard fine-tuning, AMF's main baseline
