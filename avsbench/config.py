"""Every schema of an AVSBench experiment: data, model, audio front end, losses, training.

Paths default to the shared roots (`shared.paths`): AVSBench-object under data/avsbench/{Single-source,
Multi-sources}, released weights under weights/<release>/<file>. They are read when a config is built,
so REPRO_DATA / REPRO_WEIGHTS (or --data-root / --weights-root) move every path at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from shared import paths
from shared.trainer import TrainerConfig

NUM_FRAMES = 5
SETTING_FOLDERS = {"s4": "Single-source", "ms3": "Multi-sources"}
# released files the recipe loads, as weights/<release>/<file>
VGGISH_WEIGHTS = ("vggish", "vggish-10086976.pth")  # torchvggish release (the original's pretrained_backbones/)
BACKBONE_WEIGHTS = {"resnet50": ("torchvision", "resnet50-19c8e357.pth"),
                    "pvt_v2_b5": ("pvt_v2", "pvt_v2_b5.pth")}


def setting_root(setting: str) -> str:
    """data/avsbench/Single-source (S4) or data/avsbench/Multi-sources (MS3), under the data root."""
    return str(paths.dataset("avsbench") / SETTING_FOLDERS[setting])


def weights_file(release_and_file: tuple[str, str]) -> str:
    return str(paths.weights(*release_and_file))


@dataclass
class ModelConfig:
    backbone: Literal["resnet50", "pvt_v2_b5"] = "pvt_v2_b5"
    channels: int = 256
    tpavi_stages: tuple[int, ...] = (0, 1, 2, 3)
    tpavi_va: bool = True  # audio-visual attention: the paper's TPAVI
    tpavi_vv: bool = False  # visual self-attention (ablation); with both, their outputs are averaged
    num_frames: int = NUM_FRAMES
    audio_dim: int = 128
    head_channels: tuple[int, int] = (128, 32)  # the original's output_conv widths; shrunk only for the smoke profile
    # backbone sizes; the defaults are the paper's, tests and the smoke profile shrink them
    resnet_layers: tuple[int, ...] = (3, 4, 6, 3)
    pvt_embed_dims: tuple[int, ...] = (64, 128, 320, 512)
    pvt_depths: tuple[int, ...] = (3, 6, 40, 3)
    pvt_num_heads: tuple[int, ...] = (1, 2, 5, 8)
    pvt_sr_ratios: tuple[int, ...] = (8, 4, 2, 1)
    pvt_drop_path_rate: float = 0.1


@dataclass
class AudioConfig:
    vggish_weights: str | None = None  # torchvggish layout; the paper configs set weights/vggish/vggish-10086976.pth
    widths: tuple[int, int, int, int] = (64, 128, 256, 512)  # VGGish; shrunk only for the smoke profile
    hidden: int = 4096
    # init when no weights are loaded: torch's default leaves a tiny random VGGish with the same output for every
    # sound; "kaiming" keeps sounds apart, standing in for the pretrained network in the smoke profile
    random_init: Literal["default", "kaiming"] = "default"


@dataclass
class DataConfig:
    data_root: str = ""  # the folder holding s4_meta_data.csv / ms3_meta_data.csv (setting_root(setting))
    setting: Literal["s4", "ms3"] = "s4"
    image_size: int = 224
    audio: Literal["log_mel", "wav"] = "log_mel"  # the release's log-mel pickles, or computed from audio_wav/
    eval_clips_per_batch: int = 4  # test: metrics per batch of clips, averaged (the original test.sh)
    val_clips_per_batch: int = 1  # validation: the original train.py's val_batch_size
    generate: bool = False  # write the generated dataset into data_root when its CSV is missing (smoke runs)
    generate_image_size: int = 64
    generate_clips: tuple[int, int, int] = (48, 8, 16)  # train, val, test


@dataclass
class LossConfig:
    # kl: the paper's AVM-AV loss (MS3 code, A_MaskedV_SimmLoss); kl_vv: AVM-VV (MS3 closer_loss: each frame's
    # masked visual feature against that of the frame whose audio is nearest); cos: the S4 code's variant
    avm: Literal["none", "kl", "kl_vv", "cos"] = "none"
    avm_weight: float = 0.0  # lambda
    avm_stages: tuple[int, ...] = (0, 1, 2, 3)
    avm_normalize: bool = False
    avm_threshold: bool = False


@dataclass
class AVSConfig:
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    audio: AudioConfig = field(default_factory=AudioConfig)
    loss: LossConfig = field(default_factory=LossConfig)
    train: TrainerConfig = field(default_factory=TrainerConfig)
    backbone_weights: str | None = None  # ImageNet weights of the image backbone
    # MS3 from a trained S4 model (the original's --load_s4_params --trained_s4_model_path): every key of
    # this checkpoint that the MS3 model has is copied over before training
    init_from: str | None = None
