"""LRA Image (CIFAR-10 gray, 1K), baseline Transformer (base_cifar10_config.py: batch 256, 200 epochs of
45000 images, lr 5e-4, wd 0, one epoch of warmup, cosine decay)."""

from shared.lra.configs.common import lra_config

config = lra_config("image", "data/cifar-10-batches-bin", 256, (45000 // 256) * 200, 5e-4, 0.0, 45000 // 256, "cosine")
