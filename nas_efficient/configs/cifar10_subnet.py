"""Retrain a searched CIFAR-10 sub-network from scratch (mixFormer train_subnet_cifar10.sh with
subtransformer/supnet.yml: one GPU, 64 images, betas (0.9, 0.999)). Default architecture: the original's
subnet-S.yml (embed 384, 13 layers) with softmax attention everywhere; give a searched one with
`--set arch_file=runs/.../best_arch.json`."""

from nas_efficient.config import NasConfig
from nas_efficient.configs._common import cifar10_subnet


def get_config() -> NasConfig:
    return cifar10_subnet()
