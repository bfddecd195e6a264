"""Something-Something v2 (configs/SSv2/lxvitv2_B16_16x16.yaml): 174 classes, 16 frames by segment
sampling, temporal shift over all 16 frames (NUM_SEGMENTS: 16), one gate shared by q and k (the
SHARE_GATE default), no flips (they change the meaning of left/right actions), cross-entropy without
smoothing, SGD lr 0.03, weight decay 1e-4, 35 epochs of batch 32 with 5 warm-up epochs, 2 x 3 test views.
Steps assume SSv2's 168.9k training videos."""

from shared.optim import OptimConfig
from shared.schedules import ScheduleConfig
from shared.trainer import TrainerConfig
from video_linear.data import DataConfig
from video_linear.model import ModelConfig
from video_linear.train import VideoConfig

EPOCH_STEPS = 168_913 // 32

config = VideoConfig(
    model=ModelConfig(num_classes=174, share_gate=True, shift_segment=16),
    data=DataConfig(
        dataset="ssv2", root="data/ssv2", decoder="torchcodec", autoaugment=True, num_frames=16, random_flip=False,
        num_views=2, num_crops=3),
    label_smoothing=0.0,
    train=TrainerConfig(
        max_steps=35 * EPOCH_STEPS, batch_size=32, precision="bf16", num_workers=8, log_every=50,
        eval_every=5 * EPOCH_STEPS, ckpt_every=EPOCH_STEPS,
        optim=OptimConfig(name="sgd", lr=0.03, momentum=0.9, nesterov=True, weight_decay=1e-4, decay_1d_params=True),
        schedule=ScheduleConfig(name="cosine", warmup_steps=5 * EPOCH_STEPS),
    ),
)
