"""The trained unit: a frozen VGGish (as the original: embeddings under no_grad) feeding the AVS model."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import torch
from torch import nn

from avsbench.convert import _pvt_key
from avsbench.model import AVSModel, ModelConfig
from avsbench.vggish import VGGish


@dataclass
class AudioConfig:
    vggish_weights: str | None = "data/avsbench/pretrained/vggish-10086976.pth"  # torchvggish layout
    widths: tuple[int, int, int, int] = (64, 128, 256, 512)  # VGGish; shrunk only for the smoke profile
    hidden: int = 4096
    # init when no weights are loaded: torch's default leaves a tiny random VGGish with the same output for every
    # sound; "kaiming" keeps sounds apart, standing in for the pretrained network in the smoke profile
    random_init: Literal["default", "kaiming"] = "default"


class AVSSystem(nn.Module):
    """forward(frames (B, T, 3, H, W), log_mel (B, T, 1, 96, 64)) -> AVSModel outputs on B*T frames."""

    def __init__(self, model_cfg: ModelConfig, audio_cfg: AudioConfig) -> None:
        super().__init__()
        self.vggish = VGGish(audio_cfg.widths, audio_cfg.hidden, model_cfg.audio_dim)
        if audio_cfg.random_init == "kaiming":
            for m in self.vggish.modules():
                if isinstance(m, (nn.Conv2d, nn.Linear)):
                    nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                    nn.init.zeros_(m.bias)
        self.vggish.requires_grad_(False)
        self.avs = AVSModel(model_cfg)
        self.uses_audio = bool(model_cfg.tpavi_stages) and model_cfg.tpavi_va

    def train(self, mode: bool = True) -> AVSSystem:
        super().train(mode)
        self.vggish.eval()  # frozen feature extractor
        return self

    def forward(self, frames: torch.Tensor, log_mel: torch.Tensor):
        audio = None
        if self.uses_audio:
            with torch.no_grad():
                audio = self.vggish(log_mel.flatten(0, 1))  # b*t, 128
        return self.avs(frames.flatten(0, 1), audio)


def load_vggish(system: AVSSystem, path: str | Path) -> None:
    state = torch.load(str(path), map_location="cpu", weights_only=True)
    state = {k: v for k, v in state.items() if not k.startswith("pproc.")}  # PCA post-processor: unused by AVSBench
    system.vggish.load_state_dict(state, strict=True)


def load_backbone(system: AVSSystem, path: str | Path) -> None:
    """ImageNet weights: torchvision resnet50-19c8e357.pth, or the PVT-v2 release's pvt_v2_b5.pth."""
    state = torch.load(str(path), map_location="cpu", weights_only=True)
    state = state.get("model", state) if isinstance(state, dict) else state
    backbone = system.avs.backbone
    if system.avs.cfg.backbone == "resnet50":
        mapped = {k: v for k, v in state.items() if not k.startswith("fc.")}
    else:
        mapped = {"net." + _pvt_key(k): v for k, v in state.items() if not k.startswith("head.")}
    missing, unexpected = backbone.load_state_dict(mapped, strict=False)
    if missing or unexpected:
        raise ValueError(f"{path}: backbone weights do not fit; missing {missing[:5]}, unexpected {unexpected[:5]}")
