"""The AVS model (Pred_endecoder of the original): backbone -> ASPP-style convs -> TPAVI -> fusion decoder.

    frames (B*T, 3, H, W) --backbone--> 4 maps (strides 4..32)
      -> ASPPHead each (-> `channels`) -> TPAVI with the clip's audio at `tpavi_stages`
      -> FusionBlock path4..path1 (top-down, x2 upsampling each) -> MaskHead -> logits (B*T, 1, H, W)
    audio embeddings (B*T, 128) from VGGish, one per second; T = 5 frames per clip.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from avsbench.backbones import PVTv2Features, ResNetFeatures
from avsbench.config import AudioConfig, AVSConfig, ModelConfig
from avsbench.tpavi import TPAVI
from avsbench.vggish import VGGish


class ASPPHead(nn.Module):
    """Classifier_Module: the sum of four 3x3 convs with dilations 3, 6, 12, 18."""

    def __init__(self, in_channels: int, out_channels: int, dilations: tuple[int, ...] = (3, 6, 12, 18)) -> None:
        super().__init__()
        self.branches = nn.ModuleList(nn.Conv2d(in_channels, out_channels, 3, padding=d, dilation=d) for d in dilations)
        for conv in self.branches:
            nn.init.normal_(conv.weight, 0.0, 0.01)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return sum(branch(x) for branch in self.branches)


class ResidualConvUnit(nn.Module):
    """relu -> conv -> relu -> conv, plus relu(x): the original's in-place ReLU also rectifies the skip."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(x)
        return self.conv2(F.relu(self.conv1(x))) + x


class FusionBlock(nn.Module):
    """FeatureFusionBlock: (x + unit(skip)) -> unit -> bilinear x2 (align_corners=True)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.skip_unit = ResidualConvUnit(channels)  # 'resConfUnit1'
        self.unit = ResidualConvUnit(channels)  # 'resConfUnit2'

    def forward(self, x: torch.Tensor, skip: torch.Tensor | None = None) -> torch.Tensor:
        if skip is not None:
            x = x + self.skip_unit(skip)
        return F.interpolate(self.unit(x), scale_factor=2, mode="bilinear", align_corners=True)


class MaskHead(nn.Module):
    """output_conv: conv3x3 -> bilinear x2 (align_corners=False) -> conv3x3 -> relu -> conv1x1 to one logit."""

    def __init__(self, channels: int, widths: tuple[int, int] = (128, 32)) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels, widths[0], 3, padding=1)
        self.conv2 = nn.Conv2d(widths[0], widths[1], 3, padding=1)
        self.conv3 = nn.Conv2d(widths[1], 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.interpolate(self.conv1(x), scale_factor=2, mode="bilinear", align_corners=False)
        return self.conv3(F.relu(self.conv2(x)))


def build_backbone(cfg: ModelConfig) -> nn.Module:
    if cfg.backbone == "resnet50":
        return ResNetFeatures(cfg.resnet_layers)
    if cfg.backbone == "pvt_v2_b5":
        return PVTv2Features(cfg.pvt_embed_dims, cfg.pvt_depths, cfg.pvt_num_heads, cfg.pvt_sr_ratios,
                             drop_path_rate=cfg.pvt_drop_path_rate)
    raise ValueError(f"model.backbone: unknown backbone {cfg.backbone!r}; expected 'resnet50' or 'pvt_v2_b5'")


class AVSModel(nn.Module):
    """forward(frames (B*T, 3, H, W), audio (B*T, audio_dim) | None) -> (logits (B*T, 1, H, W), visual_maps, audio_maps).

    `visual_maps`: the four decoder inputs (B*T, channels, h_i, w_i) after TPAVI, rectified as the original
    returns them (its in-place ReLU); `audio_maps`: per stage (B, T, channels) audio projected by TPAVI, or None.
    Both feed the AVM loss.
    """

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        if cfg.tpavi_stages and not (cfg.tpavi_va or cfg.tpavi_vv):
            raise ValueError("model.tpavi_stages is set but both model.tpavi_va and model.tpavi_vv are false")
        if any(s not in range(4) for s in cfg.tpavi_stages):
            raise ValueError(f"model.tpavi_stages: expected stages among 0..3, got {cfg.tpavi_stages}")
        self.cfg = cfg
        self.backbone = build_backbone(cfg)
        c = cfg.channels
        self.aspp = nn.ModuleList(ASPPHead(d, c) for d in self.backbone.out_channels)  # conv1..conv4
        self.fusion = nn.ModuleList(FusionBlock(c) for _ in range(4))  # path1..path4
        self.tpavi = nn.ModuleDict({str(s): TPAVI(c, cfg.audio_dim) for s in cfg.tpavi_stages})  # tpavi_b{s+1}
        self.head = MaskHead(c, cfg.head_channels)

    def _to_clips(self, x: torch.Tensor) -> torch.Tensor:
        bt, c, h, w = x.shape
        return x.reshape(bt // self.cfg.num_frames, self.cfg.num_frames, c, h, w).transpose(1, 2)  # b, c, t, h, w

    def _to_frames(self, x: torch.Tensor) -> torch.Tensor:
        b, c, t, h, w = x.shape
        return x.transpose(1, 2).reshape(b * t, c, h, w)

    def forward(
        self, frames: torch.Tensor, audio: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, list[torch.Tensor], list[torch.Tensor | None]]:
        feats = [aspp(x) for aspp, x in zip(self.aspp, self.backbone(frames), strict=True)]  # 4 x (bt, c, h_i, w_i)
        audio_maps: list[torch.Tensor | None] = [None] * 4
        if self.cfg.tpavi_stages and self.cfg.tpavi_va and audio is None:
            raise ValueError("this model has audio-visual TPAVI blocks: pass audio embeddings of shape (B*T, 128)")
        for s in self.cfg.tpavi_stages:
            block, clip = self.tpavi[str(s)], self._to_clips(feats[s])
            outs = []
            if self.cfg.tpavi_vv:
                outs.append(block(clip)[0])
            if self.cfg.tpavi_va:
                a = audio.reshape(-1, self.cfg.num_frames, audio.shape[-1])  # b, t, 128
                out, audio_maps[s] = block(clip, a)
                outs.append(out)
            feats[s] = self._to_frames(sum(outs) / len(outs))
        feats = [F.relu(f) for f in feats]  # what the decoder's residual units see, and what the original returns
        x = self.fusion[3](feats[3])
        x = self.fusion[2](x, feats[2])
        x = self.fusion[1](x, feats[1])
        x = self.fusion[0](x, feats[0])
        return self.head(x), feats, audio_maps


class AVSSystem(nn.Module):
    """The trained unit: a frozen VGGish (as the original: embeddings under no_grad) feeding the AVS model.

    forward(frames (B, T, 3, H, W), log_mel (B, T, 1, 96, 64)) -> AVSModel outputs on B*T frames.
    """

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


def build_model(cfg: AVSConfig) -> AVSSystem:
    """The experiment's architecture with fresh weights (pretrained ones: avsbench.convert.load_pretrained)."""
    if cfg.loss.avm != "none" and not (cfg.model.tpavi_va and set(cfg.loss.avm_stages) <= set(cfg.model.tpavi_stages)):
        raise ValueError("loss.avm needs audio-visual TPAVI at every stage of loss.avm_stages (model.tpavi_stages)")
    return AVSSystem(cfg.model, cfg.audio)
