"""Temporal pixel-wise audio-visual interaction (TPAVI), the paper's Sec. 4.2.

Every visual position (t, h, w) of a clip attends to the audio of every second t', in the
'dot' form of the original (non-local block without softmax, scores divided by the number of
key positions). The original repeats each second's audio embedding over H x W and forms the full
(THW x THW) score matrix; because scores are not normalised by a softmax, the product can be
re-associated: y = Q (K^T V) / N, with K^T V a C' x C' matrix. The key side of the audio branch is
constant over (h, w), so K^T V = sum_t k_t (sum_hw v_thw)^T. The result is the same up to float
rounding, in O(THW C'^2) time and memory instead of O((THW)^2 C').
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def _pointwise(conv: nn.Conv3d, x: torch.Tensor) -> torch.Tensor:
    """A 1x1x1 Conv3d applied to channels-first features flattened to (B, C, N)."""
    return torch.einsum("oc,bcn->bon", conv.weight.flatten(1), x) + conv.bias[None, :, None]


class TPAVI(nn.Module):
    """TPAVIModule(mode='dot', dimension=3, bn_layer=True) of the original code.

    forward(x: (B, C, T, H, W), audio: (B, T, audio_dim) or None) -> (z: (B, C, T, H, W), audio_c: (B, T, C) | None)
    With `audio=None` it is the visual self-attention ('vv') variant of the ablation.
    """

    def __init__(self, channels: int, audio_dim: int = 128, inter_channels: int | None = None) -> None:
        super().__init__()
        self.channels = channels
        self.inter = inter_channels or max(channels // 2, 1)
        self.audio_proj = nn.Linear(audio_dim, channels)  # 'align_channel'
        self.norm = nn.LayerNorm(channels)
        self.value = nn.Conv3d(channels, self.inter, 1)  # 'g'
        self.query = nn.Conv3d(channels, self.inter, 1)  # 'theta'
        self.key = nn.Conv3d(channels, self.inter, 1)  # 'phi'
        self.out_proj = nn.Conv3d(self.inter, channels, 1)  # 'W_z.0'
        self.out_bn = nn.BatchNorm3d(channels)  # 'W_z.1', zero-initialised: the block starts as identity
        nn.init.zeros_(self.out_bn.weight)
        nn.init.zeros_(self.out_bn.bias)

    def forward(self, x: torch.Tensor, audio: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor | None]:
        b, c, t, h, w = x.shape
        n = t * h * w
        flat = x.reshape(b, c, n)
        query = _pointwise(self.query, flat)  # b, c', n
        value = _pointwise(self.value, flat)  # b, c', n
        audio_c = None
        if audio is not None:
            audio_c = self.audio_proj(audio)  # b, t, c
            key = F.linear(audio_c, self.key.weight.flatten(1), self.key.bias)  # b, t, c'
            value_t = value.reshape(b, self.inter, t, h * w).sum(-1)  # b, c', t
            kv = torch.einsum("btk,bct->bkc", key, value_t)  # b, c', c'
        else:
            key = _pointwise(self.key, flat)  # b, c', n
            kv = torch.einsum("bkn,bcn->bkc", key, value)
        y = torch.einsum("bkn,bkc->bcn", query, kv) / n  # b, c', n
        y = self.out_bn(self.out_proj(y.reshape(b, self.inter, t, h, w)))
        z = self.norm((y + x).permute(0, 2, 3, 4, 1)).permute(0, 4, 1, 2, 3)  # LayerNorm over channels
        return z, audio_c
