"""Every schema of an FNAC experiment: data, model, loss, training.

Paths default to the shared roots (`shared.paths`): Flickr-SoundNet under data/flickr_soundnet, VGG-Sound
and VGG-SS under data/vggsound, the original repository's metadata lists in each dataset's metadata/
folder, torchvision's ResNet-18 under weights/torchvision. They are read when a config is built, so
REPRO_DATA / REPRO_WEIGHTS (or --data-root / --weights-root) move every path at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from fnac_avl.resnet import RESNET18_WIDTHS
from shared import paths
from shared.optim import OptimConfig
from shared.schedules import ScheduleConfig
from shared.trainer import TrainerConfig

IMAGENET_RESNET18 = ("torchvision", "resnet18-f37072fd.pth")


def flickr_root() -> str:
    return str(paths.dataset("flickr_soundnet"))


def vggsound_root() -> str:
    return str(paths.dataset("vggsound"))


@dataclass
class DataConfig:
    train_root: str = ""  # frames/ and audio/
    image_ext: str = ".jpg"  # .jpg (Flickr-SoundNet) or .png (VGG-Sound)
    subset_list: str = ""  # metadata/<trainset>.txt; "" = every clip of train_root
    testset: Literal["flickr", "vggss", "vggss_heard", "vggss_unheard"] = "flickr"
    test_root: str = ""
    test_csv: str = ""
    test_annotations: str = ""  # XML folder (flickr) or vggss.json
    # a second test list on the same data and annotations (the unheard classes of the heard/unheard split)
    extra_testset: Literal["", "vggss_unheard"] = ""
    extra_test_csv: str = ""
    # the test set the checkpoint is selected on, when it is not the reported one: every released train_*.sh
    # passes --testset flickr, so a VGG-Sound training keeps the epoch of the best Flickr-SoundNet test cIoU
    # (its metrics are logged as flickr_cIoU, ...; train.select_metric names them)
    select_testset: Literal["", "flickr"] = ""
    select_test_root: str = ""
    select_test_csv: str = ""
    select_test_annotations: str = ""
    image_size: int = 224
    eval_batch_size: int = 32
    interpolation: Literal["bicubic", "bilinear"] = "bicubic"  # heatmap upsampling (train.py validate: bicubic)
    cache: bool = False  # keep decoded clips in memory (small datasets only)
    # write the generated dataset (fnac_avl.synthetic) under this folder first (smoke runs)
    generate: str = ""
    gen_num_train: int = 512
    gen_num_test: int = 96
    gen_size: int = 128


@dataclass
class ModelConfig:
    embed_dim: int = 512  # --out_dim
    tau: float = 0.03  # --tau: temperature of every similarity
    dropout_img: float = 0.9  # --dropout_img, on the image feature map before the projection
    dropout_aud: float = 0.0  # --dropout_aud
    image_widths: tuple[int, ...] = RESNET18_WIDTHS  # (64, 128, 256, 512): ResNet-18; smaller for smoke runs
    audio_widths: tuple[int, ...] = RESNET18_WIDTHS
    # torchvision ResNet-18 ImageNet weights (resnet18-f37072fd.pth) for the image encoder, loaded before
    # training as the paper initialises it; "" trains the image encoder from scratch (smoke runs, tests)
    image_weights: str = ""


@dataclass
class LossConfig:
    fns_audio: bool = True  # false negative suppression with the audio adjacency matrix
    fns_image: bool = True  # false negative suppression with the image adjacency matrix
    tne: bool = True  # true negative enhancement with sounding-region visual features
    w_fns_audio: float = 100.0  # --fnac_loss1_weight
    w_tne: float = 100.0  # --fnac_loss2_weight
    w_fns_image: float = 100.0  # --fnac_loss3_weight
    high_conf_thresh: float = 0.6  # sounding region: normalised own map above this
    warmup_epochs: int = 5  # --warmup: epochs trained with the contrastive term alone
    # on several processes, compute the loss over the whole global batch (features gathered with their
    # gradients), so every clip has the original's batch - 1 negatives
    gather_negatives: bool = True


def default_train() -> TrainerConfig:
    """train_*.sh: Adam, lr 1e-4, L2 weight decay 1e-4 on every parameter, batch 256, seed 12345; the test
    set is scored after every epoch and the best cIoU (ties: the later epoch) is kept."""
    return TrainerConfig(batch_size=256, max_steps=0, seed=12345, log_every=10, ckpt_every=500,
                         sync_batchnorm=True,
                         optim=OptimConfig(name="adam", lr=1e-4, weight_decay=1e-4, decay_1d_params=True),
                         schedule=ScheduleConfig(name="constant"))


@dataclass
class FNACConfig:
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    loss: LossConfig = field(default_factory=LossConfig)
    train: TrainerConfig = field(default_factory=default_train)
    epochs: int = 30  # > 0: train.max_steps = epochs x updates per epoch (and eval_every one epoch when set)
