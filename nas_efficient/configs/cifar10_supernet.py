"""CIFAR-10 supernet with mixed attention (mixFormer supernet-S.yml): ViT at 224 px, 16 px patches; embed
{320, 384, 448}, layers {12, 13, 14}, FFN {1792, 1568, 1344, 896, 672}, heads {5, 6, 7} of 64 channels,
attention {cosFormer, softmax} per layer; 140k updates of 256 images (64 per GPU x 4 GPUs). The recipe is
in configs/_common.py."""

from nas_efficient.config import NasConfig
from nas_efficient.configs._common import cifar10_supernet


def get_config() -> NasConfig:
    return cifar10_supernet()
