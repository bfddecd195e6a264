"""Smoke supernet: scikit-learn's 8x8 digits, 4x4 patches (4 tokens + cls), a tiny search space with
both attention types, on CPU in seconds. Same code path as cifar10_supernet.py."""

from nas_efficient.arch import SearchSpace
from nas_efficient.model import SupernetConfig
from nas_efficient.train import DataConfig, NasConfig
from shared.optim import OptimConfig
from shared.schedules import ScheduleConfig
from shared.trainer import TrainerConfig

config = NasConfig(
    mode="supernet",
    space=SearchSpace([16, 24, 32], [1, 2, 3], [32, 64], [1, 2], ["cosformer", "softmax"]),
    model=SupernetConfig(image_size=8, patch_size=4, in_chans=1, num_classes=10, head_dim=8, drop_path=0.0,
                         activation_dropout=0.0),
    data=DataConfig(dataset="digits", augment=False, eval_batch_size=512),
    label_smoothing=0.0,
    train=TrainerConfig(
        max_steps=300, batch_size=64, log_every=50, ckpt_every=300, progress=False,
        optim=OptimConfig(name="adam", lr=3e-3, betas=(0.9, 0.998), weight_decay=0.0),
        schedule=ScheduleConfig(name="cosine", warmup_steps=20),
    ),
)
