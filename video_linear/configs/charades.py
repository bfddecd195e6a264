"""Charades (configs/Charades/lxvitv2_B16_16x16_charades_21k_cgate_tempshift_spatialshift.yaml): 157
action classes, multi-label (BCE with logits), 16 frames x stride 8 from JPEG frame lists, one shared
q/k gate, both shifts, SGD lr 0.035, weight decay 1e-5, 60 epochs with 5 warm-up epochs, 10 x 3 test views
max-ensembled, mAP. Steps assume Charades' 7,985 training videos at batch 64."""

from shared.optim import OptimConfig
from shared.schedules import ScheduleConfig
from shared.trainer import TrainerConfig
from video_linear.data import DataConfig
from video_linear.model import ModelConfig
from video_linear.train import VideoConfig

EPOCH_STEPS = 7_985 // 64

config = VideoConfig(
    model=ModelConfig(num_classes=157, share_gate=True, shift_segment=8),
    # the original tests Charades at 256 px (TEST_CROP_SIZE: 256); the model's token grid is fixed at 224 here
    data=DataConfig(
        autoaugment=True, dataset="charades", root="data/charades", num_frames=16, sampling_rate=8, num_views=10,
                    num_crops=3, train_jitter_scales=(256, 340)),
    multi_label=True,
    ensemble="max",
    label_smoothing=0.0,
    train=TrainerConfig(
        max_steps=60 * EPOCH_STEPS, batch_size=64, precision="bf16", num_workers=8, log_every=20,
        eval_every=10 * EPOCH_STEPS, ckpt_every=EPOCH_STEPS,
        optim=OptimConfig(name="sgd", lr=0.035, momentum=0.9, nesterov=True, weight_decay=1e-5, decay_1d_params=True),
        schedule=ScheduleConfig(name="cosine", warmup_steps=5 * EPOCH_STEPS),
    ),
)
