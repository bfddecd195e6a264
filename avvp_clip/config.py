"""Every schema of avvp_clip: the experiment (`AVVPConfig`) and its parts.

Defaults are the recipe of AVVP-ECCV20's main_avvp.py (HAN) plus this paper's method switches, all off
(= HAN trained from video labels only). `configs/_common.py` builds the paper's experiments from them.
Paths are read from the one data root (`shared.paths`, dataset folder `llp`) when a config is built.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from shared import paths
from shared.optim import OptimConfig
from shared.schedules import ScheduleConfig
from shared.trainer import TrainerConfig

NUM_SEGMENTS = 10  # 1-second segments of LLP's 10-second videos
NUM_CLASSES = 25


@dataclass
class HANConfig:
    audio_dim: int = 128  # VGGish
    visual_dim: int = 2048  # ResNet-152, `frames_per_segment` frames per second
    motion_dim: int = 512  # R(2+1)D-18, one snippet per second
    frames_per_segment: int = 8
    d_model: int = 512
    num_heads: int = 1
    ffn_dim: int = 512
    num_layers: int = 1
    dropout: float = 0.1
    num_classes: int = NUM_CLASSES


@dataclass
class LossConfig:
    audio_smoothing: float = 1.0  # `a` in main_avvp.py: target a*y + (1-a)/2
    visual_smoothing: float = 0.9  # `v` in main_avvp.py
    # the method's switches (all off = the HAN baseline trained from video labels only)
    segment_pseudo: bool = False  # BCE of the visual segment probabilities against the pseudo labels
    segment_weight: float = 1.0
    richness: bool = False  # category- and segment-richness loss
    richness_weight: float = 1.0
    # visual video-level target: a class is visible when some segment has its pseudo label (else HAN's
    # smoothed y); not verified against the paper, off by default
    visual_video_from_pseudo: bool = False

    @property
    def uses_pseudo_labels(self) -> bool:
        return self.segment_pseudo or self.richness or self.visual_video_from_pseudo


@dataclass
class FeatureLayout:
    """Where the per-video feature files are, and the shape each must have."""

    audio_dir: str = "feats/vggish"
    visual_dir: str = "feats/res152"
    motion_dir: str = "feats/r2plus1d_18"
    clip_dir: str = "feats/clip"
    audio_shape: tuple[int, int] = (NUM_SEGMENTS, 128)
    visual_shape: tuple[int, int] = (8 * NUM_SEGMENTS, 2048)
    motion_shape: tuple[int, int] = (NUM_SEGMENTS, 512)
    clip_shape: tuple[int, int] = (NUM_SEGMENTS, NUM_CLASSES)


@dataclass
class GeneratorConfig:
    """The generated LLP-layout dataset of the smoke and dryrun profiles (`synthetic.py`)."""

    num_train: int = 160
    num_val: int = 40
    num_test: int = 60
    num_classes_used: int = 10  # events are drawn from the first classes only, so each is seen often
    noise: float = 0.5
    amplitude: float = 2.0
    clip_logit_gap: float = 4.0  # CLIP logit advantage of a visible class
    clip_noise: float = 1.2
    seed: int = 0


def _llp_root() -> str:
    return str(paths.dataset("llp"))


@dataclass
class DataConfig:
    root: str = field(default_factory=_llp_root)  # the LLP folder: label CSVs here, features under feats/
    train_csv: str = "AVVP_train.csv"
    val_csv: str = "AVVP_val_pd.csv"
    test_csv: str = "AVVP_test_pd.csv"
    eval_audio_csv: str = "AVVP_eval_audio.csv"
    eval_visual_csv: str = "AVVP_eval_visual.csv"
    audio_dir: str = "feats/vggish"
    visual_dir: str = "feats/res152"
    motion_dir: str = "feats/r2plus1d_18"
    clip_dir: str = "feats/clip"
    preload: bool = False
    eval_batch_size: int = 64
    generate: bool = False  # smoke runs: write a generated dataset into `root` when it is missing
    generator: GeneratorConfig = field(default_factory=GeneratorConfig)

    def path(self, name: str) -> Path:
        return Path(self.root) / name

    def layout(self) -> FeatureLayout:
        return FeatureLayout(audio_dir=str(self.path(self.audio_dir)), visual_dir=str(self.path(self.visual_dir)),
                             motion_dir=str(self.path(self.motion_dir)), clip_dir=str(self.path(self.clip_dir)))


@dataclass
class PseudoConfig:
    # not verified against the paper's text (see README, "What is taken from where")
    clip_threshold: float = 0.04  # a segment has class c when CLIP's probability of c is >= this
    denoise: bool = False  # label denoising: retrain on labels flipped where the forward BCE is largest
    denoise_top_k: int = 1  # segments flipped at most, per video and class
    denoise_min_loss: float = 0.6931  # flip only where the model disagrees: BCE >= ln 2, i.e. |p - label| >= 0.5


@dataclass
class AVVPConfig:
    data: DataConfig = field(default_factory=DataConfig)
    model: HANConfig = field(default_factory=HANConfig)
    loss: LossConfig = field(default_factory=LossConfig)
    pseudo: PseudoConfig = field(default_factory=PseudoConfig)
    epochs: int = 40  # sets train.max_steps and train.eval_every (one validation per epoch)
    lr_step_epochs: int = 10  # StepLR(step_size=10, gamma=0.1) of main_avvp.py
    lr_gamma: float = 0.1
    train: TrainerConfig = field(default_factory=lambda: TrainerConfig(
        batch_size=16, optim=OptimConfig(name="adam", lr=3e-4), schedule=ScheduleConfig(name="constant"),
        num_workers=8, log_every=50, ckpt_every=625))


# The paper's text could not be read here: these details of the method are our reading or our choice.
# Each is written into results.json with its value and the flag that changes it (README: "What is taken
# from where"). The CLIP ones act when the probabilities are computed (`python -m avvp_clip.clip_labels`).
CLIP_DEFAULTS = {"model": "ViT-B-32", "prompt": "A photo of {}.", "frame_position": 0.5}


def unverified_details(cfg: AVVPConfig) -> dict[str, dict]:
    """The method's unverified details: value, whether this experiment uses it, and the flag that changes it."""
    loss, pseudo = cfg.loss, cfg.pseudo
    uses = loss.uses_pseudo_labels
    return {
        "clip_model": {"value": CLIP_DEFAULTS["model"], "used": uses, "flag": "clip_labels --model"},
        "clip_prompt": {"value": CLIP_DEFAULTS["prompt"], "used": uses, "flag": "clip_labels --prompt"},
        "clip_frame": {"value": f"frame at t + {CLIP_DEFAULTS['frame_position']} s of second t", "used": uses,
                       "flag": "clip_labels --frame-position"},
        "clip_threshold": {"value": pseudo.clip_threshold, "used": uses, "flag": "--set pseudo.clip_threshold=X"},
        "richness_loss": {"value": "BCE(category richness) + BCE(segment richness on the video's classes), "
                                   f"weight {loss.richness_weight}", "used": loss.richness,
                          "flag": "--set loss.richness=BOOL, loss.richness_weight=X"},
        "segment_loss_weight": {"value": loss.segment_weight, "used": loss.segment_pseudo,
                                "flag": "--set loss.segment_weight=X"},
        "denoise_rule": {"value": f"flip the top {pseudo.denoise_top_k} segment(s) per video class with forward "
                                  f"BCE >= {pseudo.denoise_min_loss}, retrain from scratch", "used": pseudo.denoise,
                         "flag": "--set pseudo.denoise_top_k=K, pseudo.denoise_min_loss=X"},
        "visual_video_target_from_pseudo": {"value": loss.visual_video_from_pseudo, "used": uses,
                                            "flag": "--set loss.visual_video_from_pseudo=BOOL"},
    }
