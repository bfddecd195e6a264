"""HAN: the hybrid attention network with attentive MMIL pooling (Tian et al., ECCV 2020).

    audio (b, t, 128) --fc_a--------------------------------------> a (b, t, d)
    res152 (b, 8t, 2048) --mean over 8 frames--fc_v--+              |
    r(2+1)d (b, t, 512) --fc_st----------------------+-fc_fusion-> v (b, t, d)
    HAN layer, shared by both streams: x + self-attention(x) + cross-attention(x, other stream), FFN
    MMIL head: segment probs sigmoid(fc_prob) (b, t, 2, C), softmax attention over time (fc_frame_att)
    and over modalities (fc_av_att) -> video-level probs; audio/visual video probs from time attention only.

Same computation as MMIL_Net in YapengTian/AVVP-ECCV20 nets/net_audiovisual.py (its parameter names are
kept, so `convert.py` only drops the modules that MMIL_Net builds but never calls). Two changes that
leave the outputs equal (up to float rounding) and make it faster:
- the 8 ResNet-152 frames of a second are averaged before `fc_v` (the original projects all 80 frames,
  then average-pools; a linear layer commutes with the mean);
- the audio and visual streams go through the shared HAN layer as one batch of 2b sequences.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

from avvp_clip.config import AVVPConfig, HANConfig


class HANOutput(NamedTuple):
    """The four outputs of MMIL_Net.forward, in its order."""

    global_prob: torch.Tensor  # (b, C) video-level event probability
    audio_prob: torch.Tensor  # (b, C) video-level audio event probability
    visual_prob: torch.Tensor  # (b, C) video-level visual event probability
    frame_prob: torch.Tensor  # (b, t, 2, C) segment-level probability; [:, :, 0] audio, [:, :, 1] visual


class Attention(nn.Module):
    """Multi-head attention with nn.MultiheadAttention's parameters (in_proj_*, out_proj), batch first."""

    def __init__(self, d_model: int, num_heads: int, dropout: float) -> None:
        super().__init__()
        if d_model % num_heads:
            raise ValueError(f"d_model ({d_model}) must be divisible by num_heads ({num_heads})")
        self.num_heads = num_heads
        self.dropout = dropout
        self.in_proj_weight = nn.Parameter(torch.empty(3 * d_model, d_model))
        self.in_proj_bias = nn.Parameter(torch.zeros(3 * d_model))
        self.out_proj = nn.Linear(d_model, d_model)
        nn.init.xavier_uniform_(self.in_proj_weight)
        nn.init.zeros_(self.out_proj.bias)

    def forward(self, query: torch.Tensor, context: torch.Tensor | None = None) -> torch.Tensor:
        """query (b, t, d); context (b, s, d) or None for self-attention -> (b, t, d)."""
        d = query.shape[-1]
        if context is None:  # one projection for q, k and v
            q, k, v = F.linear(query, self.in_proj_weight, self.in_proj_bias).chunk(3, dim=-1)
        else:
            q = F.linear(query, self.in_proj_weight[:d], self.in_proj_bias[:d])
            k, v = F.linear(context, self.in_proj_weight[d:], self.in_proj_bias[d:]).chunk(2, dim=-1)
        b, t, h = query.shape[0], query.shape[1], self.num_heads
        q, k, v = (x.reshape(b, x.shape[1], h, d // h).transpose(1, 2) for x in (q, k, v))  # b, h, t, d/h
        out = F.scaled_dot_product_attention(q, k, v, dropout_p=self.dropout if self.training else 0.0)
        return self.out_proj(out.transpose(1, 2).reshape(b, t, d))


class HANLayer(nn.Module):
    """x <- norm1(x + drop(cross_attn(x, other)) + drop(self_attn(x))); x <- norm2(x + drop(FFN(x)))."""

    def __init__(self, d_model: int, num_heads: int, ffn_dim: int, dropout: float) -> None:
        super().__init__()
        self.self_attn = Attention(d_model, num_heads, dropout)
        self.cm_attn = Attention(d_model, num_heads, dropout)
        self.linear1 = nn.Linear(d_model, ffn_dim)
        self.linear2 = nn.Linear(ffn_dim, d_model)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, other: torch.Tensor) -> torch.Tensor:
        x = self.norm1(x + self.drop(self.cm_attn(x, other)) + self.drop(self.self_attn(x)))
        return self.norm2(x + self.drop(self.linear2(self.drop(F.relu(self.linear1(x))))))


class HANEncoder(nn.Module):
    """The hybrid attention encoder: each layer is shared by the audio and the visual stream.

    The original loop feeds the encoder's inputs (not the previous layer's outputs) to every layer, so
    only the last layer counts; with the paper's single layer both readings are the same computation.
    """

    def __init__(self, cfg: HANConfig) -> None:
        super().__init__()
        self.layers = nn.ModuleList(
            HANLayer(cfg.d_model, cfg.num_heads, cfg.ffn_dim, cfg.dropout) for _ in range(cfg.num_layers)
        )

    def forward(self, audio: torch.Tensor, visual: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        b = audio.shape[0]
        for layer in self.layers:
            # both streams in one call: queries [a; v] attend to contexts [v; a]
            out = layer(torch.cat([audio, visual]), torch.cat([visual, audio]))  # 2b, t, d
            audio, visual = out[:b], out[b:]
        return audio, visual


class HAN(nn.Module):
    def __init__(self, cfg: HANConfig | None = None) -> None:
        super().__init__()
        self.cfg = cfg = cfg or HANConfig()
        d, c = cfg.d_model, cfg.num_classes
        self.fc_a = nn.Linear(cfg.audio_dim, d)
        self.fc_v = nn.Linear(cfg.visual_dim, d)
        self.fc_st = nn.Linear(cfg.motion_dim, d)
        self.fc_fusion = nn.Linear(2 * d, d)
        self.hat_encoder = HANEncoder(cfg)
        self.fc_prob = nn.Linear(d, c)
        self.fc_frame_att = nn.Linear(d, c)
        self.fc_av_att = nn.Linear(d, c)

    def check_inputs(self, audio: torch.Tensor, visual: torch.Tensor, motion: torch.Tensor) -> None:
        cfg = self.cfg
        b, t = audio.shape[:2]
        expected = {
            "audio": (audio, (b, t, cfg.audio_dim)),
            "visual": (visual, (b, t * cfg.frames_per_segment, cfg.visual_dim)),
            "motion": (motion, (b, t, cfg.motion_dim)),
        }
        for name, (x, shape) in expected.items():
            if tuple(x.shape) != shape:
                raise ValueError(f"HAN input {name!r}: expected shape {shape}, got {tuple(x.shape)}")

    def forward(self, audio: torch.Tensor, visual: torch.Tensor, motion: torch.Tensor) -> HANOutput:
        """audio (b, t, 128), visual (b, 8t, 2048), motion (b, t, 512)."""
        self.check_inputs(audio, visual, motion)
        b, t = audio.shape[:2]
        x_a = self.fc_a(audio)  # b, t, d
        frames = visual.reshape(b, t, self.cfg.frames_per_segment, -1).mean(2)  # b, t, 2048
        x_v = self.fc_fusion(torch.cat([self.fc_v(frames), self.fc_st(motion)], dim=-1))  # b, t, d
        x_a, x_v = self.hat_encoder(x_a, x_v)

        x = torch.stack([x_a, x_v], dim=2)  # b, t, 2, d
        frame_prob = torch.sigmoid(self.fc_prob(x))  # b, t, 2, C
        frame_att = torch.softmax(self.fc_frame_att(x), dim=1)  # attention over segments
        av_att = torch.softmax(self.fc_av_att(x), dim=2)  # attention over the two modalities
        temporal_prob = frame_att * frame_prob
        global_prob = (temporal_prob * av_att).sum(dim=(1, 2))
        return HANOutput(global_prob, temporal_prob[:, :, 0].sum(1), temporal_prob[:, :, 1].sum(1), frame_prob)


def build_model(cfg: AVVPConfig) -> HAN:
    """The architecture of an experiment config (HAN reads precomputed features: no weights to load)."""
    return HAN(cfg.model)


def num_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
