"""A ResNet-18 trunk (no pooling head) whose parameter names match torchvision's `resnet18`.

The paper's encoders are torchvision ResNet-18s with `avgpool`/`fc` removed (image) or replaced
(audio: one input channel, global max pooling). Writing the trunk here lets the smoke profile shrink
the channel widths while keeping the same layout and the same state-dict keys, so a checkpoint of the
original (or torchvision's ImageNet weights) loads by key without renaming inside the trunk.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

RESNET18_WIDTHS = (64, 128, 256, 512)


class BasicBlock(nn.Module):
    def __init__(self, in_ch: int, out_ch: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_ch, out_ch, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_ch)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(out_ch, out_ch, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_ch)
        self.downsample = None
        if stride != 1 or in_ch != out_ch:
            self.downsample = nn.Sequential(nn.Conv2d(in_ch, out_ch, 1, stride, bias=False), nn.BatchNorm2d(out_ch))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class ResNet18Trunk(nn.Module):
    """conv1 -> bn1 -> relu -> maxpool -> layer1..4; returns the last feature map (b, widths[-1], h/32, w/32)."""

    def __init__(self, in_channels: int = 3, widths: Sequence[int] = RESNET18_WIDTHS) -> None:
        super().__init__()
        if len(widths) != 4:
            raise ValueError(f"widths: expected 4 stage widths, got {tuple(widths)}")
        self.out_channels = widths[-1]
        self.conv1 = nn.Conv2d(in_channels, widths[0], 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        stages, in_ch = [], widths[0]
        for i, w in enumerate(widths):
            stages.append(nn.Sequential(BasicBlock(in_ch, w, 1 if i == 0 else 2), BasicBlock(w, w, 1)))
            in_ch = w
        self.layer1, self.layer2, self.layer3, self.layer4 = stages
        for m in self.modules():  # torchvision's ResNet initialisation
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        return self.layer4(self.layer3(self.layer2(self.layer1(x))))
