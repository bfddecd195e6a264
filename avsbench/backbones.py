"""Image backbones: four feature maps at strides 4, 8, 16, 32.

ResNet-50 is torchvision's (the original's B2_ResNet computes the same Bottleneck network; its
second, unused layer3/layer4 branch is dropped). PVT-v2 is timm's, whose module tree differs from
the original PVT-v2 code; `avsbench.convert` maps the original keys.
"""

from __future__ import annotations

import torch
from torch import nn


class ResNetFeatures(nn.Module):
    """torchvision ResNet (Bottleneck) without its head. layers=(3, 4, 6, 3) is ResNet-50."""

    def __init__(self, layers: tuple[int, ...] = (3, 4, 6, 3)) -> None:
        super().__init__()
        from torchvision.models.resnet import Bottleneck, ResNet

        net = ResNet(Bottleneck, list(layers))
        self.conv1, self.bn1, self.relu, self.maxpool = net.conv1, net.bn1, net.relu, net.maxpool
        self.layer1, self.layer2, self.layer3, self.layer4 = net.layer1, net.layer2, net.layer3, net.layer4
        self.out_channels = (256, 512, 1024, 2048)

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x1 = self.layer1(x)  # bt, 256, H/4, W/4
        x2 = self.layer2(x1)  # bt, 512, H/8, W/8
        x3 = self.layer3(x2)  # bt, 1024, H/16, W/16
        x4 = self.layer4(x3)  # bt, 2048, H/32, W/32
        return [x1, x2, x3, x4]


class PVTv2Features(nn.Module):
    """timm PyramidVisionTransformerV2 without its head; defaults are PVT-v2-b5 as the original builds it."""

    def __init__(
        self,
        embed_dims: tuple[int, ...] = (64, 128, 320, 512),
        depths: tuple[int, ...] = (3, 6, 40, 3),
        num_heads: tuple[int, ...] = (1, 2, 5, 8),
        sr_ratios: tuple[int, ...] = (8, 4, 2, 1),
        mlp_ratios: tuple[float, ...] = (4, 4, 4, 4),
        drop_path_rate: float = 0.1,
    ) -> None:
        super().__init__()
        from timm.models.pvt_v2 import PyramidVisionTransformerV2

        self.net = PyramidVisionTransformerV2(
            depths=depths, embed_dims=embed_dims, num_heads=num_heads, sr_ratios=sr_ratios, mlp_ratios=mlp_ratios,
            qkv_bias=True, drop_path_rate=drop_path_rate, num_classes=0,
        )
        self.out_channels = tuple(embed_dims)

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        return self.net.forward_intermediates(x, intermediates_only=True)  # 4 x (bt, C_i, H/2^(i+2), W/2^(i+2))
