"""ImageNet-1k, `tnn_vit_e3g1_tiny_rpe_l1_90_prenorm` (6.4M parameters) with OpenNLPLab/Tnn script_im.sh's recipe."""

from tnn.config import ImageNetConfig, deit_tiny_config, imagenet_config


def get_config() -> ImageNetConfig:
    return imagenet_config(deit_tiny_config())
