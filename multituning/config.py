"""The experiment config: data, the K fine-tuning settings, the policy network and the training stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from shared.optim import OptimConfig
from shared.schedules import ScheduleConfig
from shared.trainer import TrainerConfig


def sgd_stage(lr: float, weight_decay: float, max_steps: int, batch_size: int) -> TrainerConfig:
    """SGD with momentum 0.9 and a cosine schedule: the stage recipe used throughout."""
    # BatchNorm over the whole global batch on any number of GPUs: one experiment, whatever the machine
    return TrainerConfig(max_steps=max_steps, batch_size=batch_size, ckpt_every=max(max_steps // 4, 1), sync_batchnorm=True,
                         optim=OptimConfig(name="sgd", lr=lr, momentum=0.9, weight_decay=weight_decay),
                         schedule=ScheduleConfig(name="cosine"), log_every=50)


@dataclass
class DataConfig:
    name: str = "fgvc_aircraft"
    data_root: str = "data/fgvc_aircraft"  # the dataset's folder under the data root
    image_size: int = 224  # training crop / test crop
    resize_size: int = 256  # test: resize the shorter side to this, then center-crop image_size
    augment: bool = True  # train: random-resized crop + horizontal flip; False: the test transform
    preload: bool = False  # decode and transform every image once, into memory (small datasets, no augmentation)
    eval_batch_size: int = 128
    num_workers: int = 0  # decoding processes of the evaluation loaders (training: the stage's num_workers)
    train_splits: tuple[str, ...] = ()  # the official splits to train on; () = the dataset's usual ones


@dataclass
class BackboneConfig:
    arch: str = "resnet50"  # a timm ResNet name (same key layout as torchvision's)
    pretrained_file: str = ""  # local weights in the timm/torchvision layout; "" = random init
    # a custom small ResNet instead of `arch` when `layers` is set (the smoke profile)
    layers: tuple[int, ...] = ()
    channels: tuple[int, ...] = (64, 128, 256, 512)
    stem_width: int = 64
    block: Literal["basic", "bottleneck"] = "basic"


@dataclass
class FineTuneSetting:
    name: str = "standard"
    frozen_stages: int = 0  # 0: all trainable; 1: stem frozen; 2: + layer1; ...; 5: whole backbone (linear probe)
    backbone_lr_scale: float = 1.0  # backbone LR = head LR x this
    l2sp_alpha: float = 0.0  # alpha/2 ||w - w0||^2 over the pretrained weights (replaces weight decay when > 0)
    l2sp_beta: float = 0.0  # beta/2 ||w||^2 over the new head


# the settings of the paper configs, as specs "name[:field=value,...]" (see `parse_setting`)
DEFAULT_SETTINGS = ("standard", "freeze_low:frozen_stages=3", "l2sp:l2sp_alpha=0.1,l2sp_beta=0.01")


def parse_setting(spec: str) -> FineTuneSetting:
    """'l2sp:l2sp_alpha=0.1,l2sp_beta=0.01' -> FineTuneSetting(name='l2sp', l2sp_alpha=0.1, l2sp_beta=0.01)."""
    name, _, rest = spec.partition(":")
    if not name:
        raise ValueError(f"fine-tuning setting {spec!r}: expected 'name[:field=value,...]'")
    kwargs: dict[str, float | int] = {}
    types = {"frozen_stages": int, "backbone_lr_scale": float, "l2sp_alpha": float, "l2sp_beta": float}
    for item in filter(None, rest.split(",")):
        key, sep, value = item.partition("=")
        if not sep or key.strip() not in types:
            raise ValueError(f"fine-tuning setting {spec!r}: {item!r} must be field=value with field in {sorted(types)}")
        try:
            kwargs[key.strip()] = types[key.strip()](value)
        except ValueError:
            raise ValueError(f"fine-tuning setting {spec!r}: {key} expects {types[key.strip()].__name__}, "
                             f"got {value!r}") from None
    return FineTuneSetting(name=name.strip(), **kwargs)


@dataclass
class MembersConfig:
    backbone: BackboneConfig = field(default_factory=BackboneConfig)
    settings: tuple[str, ...] = DEFAULT_SETTINGS

    def parsed(self) -> list[FineTuneSetting]:
        settings = [parse_setting(s) for s in self.settings]
        names = [s.name for s in settings]
        if len(set(names)) != len(names) or not names:
            raise ValueError(f"members.settings: need at least one setting and unique names, got {names}")
        return settings


@dataclass
class PolicyConfig:
    stem_width: int = 32  # SpotTune's agent widths
    widths: tuple[int, ...] = (64, 128, 256)
    input_size: int = 112  # images are resized to this for the policy (0: as given)
    fusion: Literal["prob", "logit"] = "prob"
    temperature: float = 1.0
    hard: bool = False  # True: one member per sample (straight-through one-hot), as SpotTune routes
    gumbel: bool = False  # Gumbel noise on the policy logits while training (SpotTune samples it)
    # data the policy learns from: "heldout" = images the members never saw (the official val split where the
    # dataset has one, DTD and FGVC-Aircraft, with the members on the official train split; otherwise a
    # stratified `heldout_fraction` of the training set); "members" = the members' own training set
    data: Literal["heldout", "members"] = "heldout"
    heldout_fraction: float = 0.1
    train_splits: tuple[str, ...] = ()  # explicit official splits for the policy (overrides `data`)
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
    weights: str = ""  # an earlier pretraining's backbone.pt: reused instead of pretraining again (seeds share it)


@dataclass
class AMFConfig:
    data: DataConfig = field(default_factory=DataConfig)
    members: MembersConfig = field(default_factory=MembersConfig)
    finetune: TrainerConfig = field(default_factory=lambda: sgd_stage(0.01, 1e-4, 5000, 64))
    policy: PolicyConfig = field(default_factory=PolicyConfig)
    pretrain: PretrainConfig = field(default_factory=PretrainConfig)
    smoke_data_root: str = ""  # when set, the smoke images are written there first (source/ and target/)
    standard_setting: str = "standard"  # the setting that is standard fine-tuning, AMF's main baseline
    # two_stage: members fine-tuned first, then the policy over the frozen members; joint: members and policy
    # trained together on the fused prediction's loss, as SpotTune trains its agent with the network
    schedule: Literal["two_stage", "joint"] = "two_stage"
    seed: int = 0  # added to the fine-tuning and policy seeds (the pretrained backbone is the same for all)


# Every design choice beyond the paper's abstract (its full text and code were not available): written into
# each results.json so no number is read without them.
DESIGN_GUESSES = (
    "fine-tuning settings (K=3): standard; stem+layer1+layer2 frozen; L2-SP alpha=0.1, beta=0.01",
    "fusion: mixture of the members' softmax outputs weighted per sample (policy.fusion=prob)",
    "policy network: SpotTune's agent with K outputs, on images resized to 112 px",
    "policy output: soft softmax weights (SpotTune's Gumbel / hard routing are options)",
    "schedule: members first, then the policy over the frozen members (schedule=joint: SpotTune-style)",
    "policy data: a held-out split the members never saw (official val of DTD and FGVC-Aircraft, else 10% "
    "of the training set)",
    "backbone: ResNet-50 from torchvision's ImageNet weights (IMAGENET1K_V1)",
    "optimisation: SGD momentum 0.9, batch 64, cosine decay; members lr 0.01 wd 1e-4; policy lr 0.01 wd 1e-3",
    "length: members 5,000 (Aircraft), 3,000 (DTD), 6,400 (Cars), 7,800 (CIFAR-10), 7,500 (Fashion-MNIST) steps of "
    "64 images (about 50, 50, 50, 10, 8 epochs of the full training sets); policy half as many steps",
    "images: random-resized crop 224 + flip for training; resize 256 + center crop 224 for testing",
)
