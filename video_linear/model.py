"""Linear Video Transformer with Feature Fixation (the original's `lvit_v2` backbone + `VVTHead`).

    video (b, 3, t, H, W)
      -> overlapping patch embedding per frame (conv 16x16, stride 14, pad 8 -> 17x17 tokens) + LayerNorm
      -> + learned temporal embedding (one vector per frame of each 8-frame segment)
      -> depth x block (divided space-time):
           x = x + temporal linear attention(LN(x))     tokens of one position over time; K,V spatially shifted
           x = x + spatial linear attention(LN(x))      tokens of one frame; K,V temporally shifted
           x = x + MLP with a 3x3 depthwise conv(LN(x))
      -> LayerNorm -> dropout -> mean over tokens (per frame) -> mean over frames
      -> head: LayerNorm -> Linear -> GELU -> Dropout -> Linear

Linear attention (kernel "relu"): phi(x) = relu(x) + d^-1/2, out = phi(q) (phi(k)^T v) / (phi(q) . sum phi(k)).
Feature fixation: before the product, phi(q) and phi(k) are re-weighted per channel by
sigmoid(Linear([phi(q), phi(k), v])) (separate or shared gates). Every piece has a switch so the
paper's ablation can be rebuilt: `feature_fixation`, `temporal_shift`, `spatial_shift`, `kernel`
("relu" linear or "softmax"), `attention` ("divided" or "joint" space-time).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from video_linear.config import ModelConfig, VideoConfig
from video_linear.shifts import SpatialShift, TemporalShift


class LinearAttention(nn.Module):
    """Multi-head attention with the ReLU linear kernel (or softmax) and feature fixation."""

    def __init__(self, dim: int, num_heads: int, qkv_bias: bool = True, kernel: str = "relu",
                 feature_fixation: bool = False, share_gate: bool = False, attn_drop: float = 0.0,
                 shift: nn.Module | None = None) -> None:
        super().__init__()
        if kernel not in ("relu", "softmax"):
            raise ValueError(f"kernel: expected 'relu' or 'softmax', got {kernel!r}")
        self.num_heads, self.kernel = num_heads, kernel
        head_dim = dim // num_heads
        self.scale = head_dim ** -0.5
        self.qkv = nn.Linear(dim, 3 * dim, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim)
        self.attn_drop = nn.Dropout(attn_drop)
        self.feature_fixation, self.share_gate = feature_fixation, share_gate
        if feature_fixation:
            if share_gate:
                self.gate = nn.Linear(3 * head_dim, head_dim)
            else:
                self.q_gate = nn.Linear(3 * head_dim, head_dim)
                self.k_gate = nn.Linear(3 * head_dim, head_dim)
        self.shift = shift  # applied to keys and values (neighbourhood association)

    def _gates(self, qkv: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Fixation ratios for q and k from the aggregated [phi(q), phi(k), v] (b, n, h, 3e)."""
        if self.share_gate:  # the original evaluates the shared gate twice on the same input
            g = torch.sigmoid(self.gate(qkv))
            return g, g
        # both gates in one matmul
        weight = torch.cat([self.q_gate.weight, self.k_gate.weight])
        bias = torch.cat([self.q_gate.bias, self.k_gate.bias])
        return torch.sigmoid(F.linear(qkv, weight, bias)).chunk(2, dim=-1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, n, c = x.shape
        q, k, v = self.qkv(x).view(b, n, 3, self.num_heads, c // self.num_heads).unbind(2)  # b, n, h, e
        if self.shift is not None:
            k, v = self.shift(k), self.shift(v)
        if self.kernel == "relu":
            q, k = F.relu(q) + self.scale, F.relu(k) + self.scale
        if self.feature_fixation:
            q_gate, k_gate = self._gates(torch.cat([q, k, v], dim=-1))
            q, k = self.attn_drop(q_gate * q), self.attn_drop(k_gate * k)
        if self.kernel == "softmax":
            q, k, v = (t.transpose(1, 2) for t in (q, k, v))  # b, h, n, e
            attn = self.attn_drop((q @ k.transpose(-2, -1) * self.scale).softmax(-1))
            out = (attn @ v).transpose(1, 2)
        else:
            kv = torch.einsum("bnhe,bnhf->bhef", k, v)  # b, h, e, e: linear in n
            z = 1.0 / (torch.einsum("bnhe,bhe->bnh", q, k.sum(1)) + 1e-6)  # b, n, h
            out = torch.einsum("bnhe,bhef->bnhf", q, kv) * z.unsqueeze(-1)
        return self.proj(out.reshape(b, n, c))


class ConvMlp(nn.Module):
    """fc1 -> 3x3 depthwise conv over the frame's token grid -> GELU -> fc2 (the original's Mlp)."""

    def __init__(self, dim: int, hidden: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.dwconv = nn.Conv2d(hidden, hidden, 3, 1, 1, groups=hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x: torch.Tensor, grid: int) -> torch.Tensor:
        x = self.fc1(x)  # (b t), n, hidden
        bt, n, c = x.shape
        x = self.dwconv(x.transpose(1, 2).reshape(bt, c, grid, grid)).flatten(2).transpose(1, 2)
        return self.fc2(F.gelu(x))


class DropPath(nn.Module):
    def __init__(self, p: float) -> None:
        super().__init__()
        self.p = p

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0.0:
            return x
        keep = x.new_empty((x.shape[0],) + (1,) * (x.ndim - 1)).bernoulli_(1 - self.p)
        return x * keep / (1 - self.p)


class Block(nn.Module):
    def __init__(self, cfg: ModelConfig, drop_path: float, shifted: bool) -> None:
        super().__init__()
        dim, heads = cfg.embed_dim, cfg.num_heads
        self.attention, self.num_frames, self.grid = cfg.attention, cfg.num_frames, cfg.grid
        common = dict(qkv_bias=cfg.qkv_bias, kernel=cfg.kernel, attn_drop=cfg.attn_drop)
        if cfg.attention == "divided":
            fix = dict(feature_fixation=cfg.feature_fixation, share_gate=cfg.share_gate)
            t_shift = SpatialShift(cfg.grid, cfg.shift_size) if shifted and cfg.spatial_shift else None
            s_shift = TemporalShift(cfg.shift_segment, cfg.shift_div) if shifted and cfg.temporal_shift else None
            self.temporal_norm = nn.LayerNorm(dim, eps=1e-6)
            self.temporal_attn = LinearAttention(dim, heads, **common, **fix, shift=t_shift)
            self.spatial_attn = LinearAttention(dim, heads, **common, **fix, shift=s_shift)
        elif cfg.attention == "joint":  # the original's full_time_space: no shift, no gate
            self.spatial_attn = LinearAttention(dim, heads, **common)
        else:
            raise ValueError(f"attention: expected 'divided' or 'joint', got {cfg.attention!r}")
        self.spatial_norm = nn.LayerNorm(dim, eps=1e-6)
        self.mlp_norm = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = ConvMlp(dim, int(dim * cfg.mlp_ratio))
        self.drop_path = DropPath(drop_path)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        bt, n, c = x.shape  # (b t), n, c
        t = self.num_frames
        if self.attention == "joint":
            y = self.spatial_attn(self.spatial_norm(x).reshape(bt // t, t * n, c)).reshape(bt, n, c)
            x = x + self.drop_path(y)
        else:
            xt = x.reshape(bt // t, t, n, c).transpose(1, 2).reshape(bt // t * n, t, c)  # (b n), t, c
            xt = xt + self.drop_path(self.temporal_attn(self.temporal_norm(xt)))
            x = xt.reshape(bt // t, n, t, c).transpose(1, 2).reshape(bt, n, c)
            x = x + self.drop_path(self.spatial_attn(self.spatial_norm(x)))
        return x + self.drop_path(self.mlp(self.mlp_norm(x), self.grid))


class VideoLinearTransformer(nn.Module):
    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.cfg = cfg
        for name in ("embed_frames", "shift_segment"):
            if cfg.num_frames % getattr(cfg, name):
                raise ValueError(f"num_frames ({cfg.num_frames}) must be a multiple of {name} ({getattr(cfg, name)})")
        dim = cfg.embed_dim
        self.patch_embed = nn.Conv2d(3, dim, cfg.patch_size, cfg.patch_stride, padding=cfg.patch_size // 2)
        self.patch_norm = nn.LayerNorm(dim)
        self.temp_embed = nn.Parameter(torch.zeros(1, cfg.embed_frames, 1, dim))
        rates = [cfg.drop_path * i / max(cfg.depth - 1, 1) for i in range(cfg.depth)]  # stochastic depth rule
        self.blocks = nn.ModuleList(Block(cfg, rates[i], i in cfg.shift_layers) for i in range(cfg.depth))
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.token_drop = nn.Dropout(cfg.dropout)
        self.head = nn.Sequential(nn.LayerNorm(dim), nn.Linear(dim, cfg.head_hidden), nn.GELU(),
                                  nn.Dropout(cfg.dropout), nn.Linear(cfg.head_hidden, cfg.num_classes))
        self.apply(self._init_weights)

    @staticmethod
    def _init_weights(m: nn.Module) -> None:
        if isinstance(m, nn.Linear):
            nn.init.trunc_normal_(m.weight, std=0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.LayerNorm):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Conv2d):
            fan_out = m.kernel_size[0] * m.kernel_size[1] * m.out_channels // m.groups
            nn.init.normal_(m.weight, 0.0, math.sqrt(2.0 / fan_out))
            nn.init.zeros_(m.bias)

    def forward_features(self, video: torch.Tensor) -> torch.Tensor:
        """video: b, 3, t, H, W -> per-frame features b, t, c."""
        b, _, t, h, w = video.shape
        if t != self.cfg.num_frames or h != self.cfg.img_size or w != self.cfg.img_size:
            raise ValueError(f"expected clips of {self.cfg.num_frames} frames of {self.cfg.img_size}x{self.cfg.img_size}"
                             f" (the token grid and shifts are built for it), got {t} frames of {h}x{w}")
        x = self.patch_embed(video.transpose(1, 2).reshape(b * t, 3, h, w))  # (b t), c, g, g
        x = self.patch_norm(x.flatten(2).transpose(1, 2))  # (b t), n, c
        bt, n, c = x.shape
        s = self.cfg.embed_frames
        x = (x.reshape(bt // s, s, n, c) + self.temp_embed).reshape(bt, n, c)
        for block in self.blocks:
            x = block(x)
        x = self.token_drop(self.norm(x)).mean(1)  # (b t), c
        return x.reshape(b, t, c)

    def forward(self, video: torch.Tensor) -> torch.Tensor:
        return self.head(self.forward_features(video).mean(1))  # b, classes


def build_model(cfg: VideoConfig) -> VideoLinearTransformer:
    """The architecture of an experiment, freshly initialised (pretrained weights are loaded by train.py)."""
    return VideoLinearTransformer(cfg.model)


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
