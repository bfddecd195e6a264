"""ImageNet-1k, `tno_vit_e3g1_small_rpe_l1_90_prenorm` (23.4M parameters) with OpenNLPLab/Tnn script_im.sh's recipe."""

from tnn.config import ImageNetConfig, deit_small_config, imagenet_config


def get_config() -> ImageNetConfig:
    return imagenet_config(deit_small_config())
