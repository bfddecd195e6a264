"""Kinetics-400, the paper's full model (configs/Kinetics/lxvitv2_B16_16x16_k400_21k_cgate_tempshift_spatialshift.yaml):
16 frames x stride 16, 224 px, feature fixation with separate q/k gates, temporal + spatial shifts in all
blocks, SGD lr 0.035 (cosine, 5 warm-up epochs), 40 epochs of batch 64, label smoothing 0.3, MixUp 0.4,
4 x 3 test views. Steps assume Kinetics-400's 240k training videos."""

from shared.optim import OptimConfig
from shared.schedules import ScheduleConfig
from shared.trainer import TrainerConfig
from video_linear.data import DataConfig
from video_linear.model import ModelConfig
from video_linear.train import VideoConfig

EPOCH_STEPS = 240_000 // 64

config = VideoConfig(
    model=ModelConfig(num_classes=400, share_gate=False),
    data=DataConfig(
        root="data/kinetics400", decoder="torchcodec", autoaugment=True, num_frames=16, sampling_rate=16,
        num_views=4, num_crops=3),
    label_smoothing=0.3,
    mixup_alpha=0.4,
    train=TrainerConfig(
        max_steps=40 * EPOCH_STEPS, batch_size=64, precision="bf16", num_workers=8, log_every=50,
        eval_every=EPOCH_STEPS * 5, ckpt_every=EPOCH_STEPS,
        optim=OptimConfig(name="sgd", lr=0.035, momentum=0.9, nesterov=True, weight_decay=1e-5, decay_1d_params=True),
        schedule=ScheduleConfig(name="cosine", warmup_steps=5 * EPOCH_STEPS),
    ),
)
