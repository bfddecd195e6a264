"""Every schema of video_linear: the experiment (`VideoConfig`), the model, the data, the initialisation.

Defaults follow the original's `slowfast/config/defaults.py` and the released launch scripts
(`train_*_linear.sh`: `TRAIN.BATCH_SIZE 32`, global; fp32). `configs/_common.py` builds the paper's
experiments from them. Dataset and weight paths are read from the one data and weights roots
(`shared.paths`) when a config is built.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from shared import paths
from shared.trainer import TrainerConfig


@dataclass
class ModelConfig:
    num_classes: int = 400
    img_size: int = 224
    patch_size: int = 16
    patch_stride: int = 14  # overlapping patches, as the original (17x17 tokens at 224 px)
    embed_dim: int = 512
    depth: int = 12
    num_heads: int = 8
    mlp_ratio: float = 4.0
    qkv_bias: bool = True
    num_frames: int = 16
    # the original's temporal embedding always has 8 rows (the backbone's default num_frames), added to
    # every 8-frame segment of a clip; its temporal shift works on segments of XVIT.NUM_SEGMENTS frames
    embed_frames: int = 8
    shift_segment: int = 8
    attention: Literal["divided", "joint"] = "divided"
    kernel: Literal["relu", "softmax"] = "relu"
    feature_fixation: bool = True
    share_gate: bool = False
    temporal_shift: bool = True
    spatial_shift: bool = True
    shift_div: int = 8  # XVIT.SHIFT_DIV: 1/div of the channels move each way in the temporal shift
    shift_size: int = 1
    shift_layers: list[int] = field(default_factory=lambda: list(range(15)))  # original LOCATIONS_LIST
    head_hidden: int = 768  # TEMPORAL_HEAD.MLP_DIM
    dropout: float = 0.5  # MODEL.DROPOUT_RATE: before token pooling and inside the head
    drop_path: float = 0.0
    attn_drop: float = 0.0

    @property
    def grid(self) -> int:
        """Tokens per side: the patch conv's output size (padding patch_size // 2)."""
        return (self.img_size + 2 * (self.patch_size // 2) - self.patch_size) // self.patch_stride + 1


def _kinetics400_root() -> str:
    return str(paths.dataset("kinetics400"))


@dataclass
class DataConfig:
    dataset: Literal["kinetics", "ssv2", "charades"] = "kinetics"  # charades: see charades.py
    root: str = field(default_factory=_kinetics400_root)
    path_prefix: str = ""  # where the CSV's video paths start (default: root)
    separator: str = " "
    num_frames: int = 16
    sampling_rate: int = 16
    target_fps: int = 30
    train_jitter_scales: tuple[int, int] = (256, 320)
    train_crop_size: int = 224
    test_crop_size: int = 224
    random_flip: bool = True
    # DATA.USE_XVIT_AGUMENTATION (default True; the original's Kinetics reader only): TSN multi-scale crop
    # (scales 1, .875, .75, .66 of the short side, 13 fixed positions) resized to the crop size, instead of
    # short-side jitter + random crop
    xvit_augmentation: bool = False
    random_erasing: float = 0.0  # DATA.RAND_CROP: probability of one erased box per clip (SSv2: 0.5)
    mean: tuple[float, float, float] = (0.5, 0.5, 0.5)
    std: tuple[float, float, float] = (0.5, 0.5, 0.5)
    num_views: int = 4  # TEST.NUM_ENSEMBLE_VIEWS
    num_crops: int = 3  # TEST.NUM_SPATIAL_CROPS
    autoaugment: bool = False  # DATA.AUTOAUGMENT: AutoAugment "v0", one draw for all frames of a clip
    single_frame: bool = False  # baseline: every sampled frame replaced by the clip's middle frame
    cache_decoded: bool = False  # keep decoded videos in memory (tiny generated sets only; PyAV)
    # "torchcodec" seeks to the sampled frames only (fast on long videos); "pyav" decodes every frame
    decoder: Literal["pyav", "torchcodec"] = "pyav"
    eval_batch_size: int = 8


@dataclass
class InitConfig:
    """Where the weights come from before fine-tuning (`pretrained.py`).

    image21k: the ImageNet-21k `lvit_v2` backbone the original loads through XVIT.PRETRAIN (backbone only;
    the head stays at its init). video: a video checkpoint of the original (Charades starts from the
    K400 one, TRAIN.CHECKPOINT_FILE_PATH): every tensor whose name and shape match is loaded, as the
    original's `load_checkpoint` does. `file` is relative to the weights root unless absolute.
    """

    source: Literal["none", "image21k", "video"] = "none"
    file: str = ""


@dataclass
class VideoConfig:
    model: ModelConfig = field(default_factory=ModelConfig)
    data: DataConfig = field(default_factory=DataConfig)
    init: InitConfig = field(default_factory=InitConfig)
    label_smoothing: float = 0.3  # the original's smooth_cross_entropy default
    multi_label: bool = False  # Charades: BCE-with-logits loss, max-ensembled views, mAP
    ensemble: Literal["sum", "max"] = "sum"  # DATA.ENSEMBLE_METHOD
    mixup_alpha: float = 0.0  # TRAIN.MIXUP_ALPHA: clip-level MixUp (optimizer.py:MixUper)
    # SOLVER.WARMUP_START_LR: the LR of the first update, as a multiple of the base LR (lr_policy.py: linear
    # warm-up from WARMUP_START_LR to the cosine's value at the end of warm-up; cosine over all epochs).
    # None: the shared trainer's schedule (warm-up from 0, cosine over the steps after warm-up)
    warmup_start_ratio: float | None = None
    eval_split: str = "test"
    train: TrainerConfig = field(default_factory=TrainerConfig)
