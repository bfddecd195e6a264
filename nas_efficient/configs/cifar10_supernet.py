"""CIFAR-10 supernet with mixed attention (mixFormer configs/cifar10/supertransformer/supernet-S.yml and
acc_dataset/config_mixatt.yml): ViT at 224 px, 16 px patches; search space embed {320, 384, 448},
layers {12, 13, 14}, FFN {1792, 1568, 1344, 896, 672}, heads {5, 6, 7} of 64 channels, attention
{cosFormer, softmax} per layer. Adam (0.9, 0.998), weight decay 0.05, LR 1e-3 with 976 warm-up
updates then cosine to 1e-7, 140k updates of 256 images (64 per GPU x 4 GPUs), label smoothing 0.1,
dropout 0, ReLU dropout 0.1, drop-path 0.1.
"""

from nas_efficient.arch import SearchSpace
from nas_efficient.train import NasConfig
from shared.optim import OptimConfig
from shared.schedules import ScheduleConfig
from shared.trainer import TrainerConfig

config = NasConfig(
    mode="supernet",
    space=SearchSpace([320, 384, 448], [12, 13, 14], [1792, 1568, 1344, 896, 672], [5, 6, 7], ["cosformer", "softmax"]),
    train=TrainerConfig(
        max_steps=140_000, batch_size=256, precision="bf16", log_every=100, eval_every=10_000, ckpt_every=2_000,
        find_unused_parameters=True,
        optim=OptimConfig(name="adam", lr=1e-3, betas=(0.9, 0.998), weight_decay=0.05),
        schedule=ScheduleConfig(name="cosine", warmup_steps=976, min_lr_ratio=1e-4),
    ),
)
