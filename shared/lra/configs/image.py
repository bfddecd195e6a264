"""LRA Image (CIFAR-10 gray, 1K), baseline Transformer (base_cifar10_config.py: batch 256, 200 epochs of
45000 images, lr 5e-4, wd 0, one epoch of warmup, cosine decay)."""

from shared.lra.configs.common import lra_config
from shared.lra.train import LRAConfig


def get_config() -> LRAConfig:
    return lra_config("image", batch_size=256, steps=(45000 // 256) * 200, lr=5e-4, weight_decay=0.0, warmup=45000 // 256,
                      schedule="cosine")
