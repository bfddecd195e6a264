"""Smoke: generated motion-direction videos (4 classes, 32 px, 24 frames) in the Kinetics layout, a
2-block model with every component of the paper's (feature fixation, temporal and spatial shifts),
on CPU in well under a minute. Same code path as k400.py. Horizontal flips are off: they would swap
the "left" and "right" classes. The data folder is set by reproduce.py (`--set data.root=...`)."""

from shared.optim import OptimConfig
from shared.schedules import ScheduleConfig
from shared.trainer import TrainerConfig
from video_linear.config import DataConfig, ModelConfig, VideoConfig


def get_config() -> VideoConfig:
    return VideoConfig(
        model=ModelConfig(num_classes=4, img_size=32, patch_size=8, patch_stride=7, embed_dim=32, depth=2, num_heads=2,
                          mlp_ratio=2.0, num_frames=8, embed_frames=8, shift_segment=8, shift_layers=[0, 1],
                          head_hidden=64, dropout=0.0),
        data=DataConfig(num_frames=8, sampling_rate=2, train_jitter_scales=(32, 40),
                        train_crop_size=32, test_crop_size=32, random_flip=False, num_views=2, num_crops=3,
                        cache_decoded=True, eval_batch_size=48),
        label_smoothing=0.0,
        train=TrainerConfig(
            max_steps=240, batch_size=16, log_every=40, ckpt_every=240, progress=False,
            optim=OptimConfig(name="adamw", lr=3e-3, weight_decay=0.01),
            schedule=ScheduleConfig(name="cosine", warmup_steps=20),
        ),
    )
