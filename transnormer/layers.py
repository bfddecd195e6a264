"""Building blocks around the attentions: norms, the relative positional transform, the channel mixer.

Originals (OpenNLPLab/fairseq-evo): fairseq/modules/norm/rms_norm.py (SimpleRMSNorm),
fairseq/modules/positional_encoding/urpe.py (Urpe: core_matrix=1 rope, p_matrix=3 householder),
fairseq/modules/ffn/glu.py (GLU).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from shared.norms import SimpleRMSNorm


class ChannelBatchNorm(nn.Module):
    """BatchNorm1d over the feature dimension of (b, n, d) inputs (OpenNLPLab/lra's `batch`/`synbatch`)."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.norm = nn.BatchNorm1d(dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(x.transpose(-1, -2)).transpose(-1, -2)


def make_norm(name: str, dim: int) -> nn.Module:
    if name == "simplermsnorm":
        return SimpleRMSNorm(dim)
    if name == "layernorm":
        return nn.LayerNorm(dim)
    if name == "batchnorm":
        return ChannelBatchNorm(dim)
    raise ValueError(f"unknown norm {name!r}; expected simplermsnorm, layernorm or batchnorm")


class RelativePositionTransform(nn.Module):
    """The positional encoding applied to queries and keys (the original's `Urpe`/`Lrpe`):
    an optional Householder reflection x - 2 (x.u) u with a fixed random unit u, then a rotary
    transform of interleaved pairs (x0, x1), (x2, x3), ... by angle pos * theta_i.

    The rotation angles theta_i = 10000^(-2i/e) may be learned (TransNormer LM/BLM) or fixed (LRA).
    Positions count along dim -2 of the input, starting at `offset`; so in DiagAttention (input
    b, h, g, w, e) they restart in every block, as in the original.
    """

    def __init__(self, head_dim: int, householder: bool = True, learned_theta: bool = True) -> None:
        super().__init__()
        self.rot_dim = head_dim - head_dim % 2
        theta = 10000 ** (-2 / head_dim * torch.arange(head_dim // 2, dtype=torch.float))
        if not learned_theta:  # the original's fixed theta uses the rotated width
            theta = 10000 ** (-2 / self.rot_dim * torch.arange(self.rot_dim // 2, dtype=torch.float))
        self.learned_theta = learned_theta
        if learned_theta:
            self.theta = nn.Parameter(theta)
        else:
            self.register_buffer("theta", theta, persistent=False)
        if householder:
            u = torch.randn(head_dim)
            self.register_buffer("householder", u / u.norm())
        else:
            self.householder = None

    def forward(self, x: torch.Tensor, offset: int = 0) -> torch.Tensor:
        if self.householder is not None:
            u = self.householder.to(x.dtype)
            x = x - 2 * (x @ u).unsqueeze(-1) * u
        e = self.rot_dim
        rest, x = x[..., e:], x[..., :e]
        n = x.shape[-2]
        pos = torch.arange(offset, offset + n, device=x.device, dtype=x.dtype).unsqueeze(-1)  # n, 1
        angle = pos * self.theta.to(x.dtype).repeat_interleave(2)  # n, e: theta0, theta0, theta1, ...
        # (x0, x1, x2, x3) -> (-x1, x0, -x3, x2)
        rotated = torch.stack([-x[..., 1::2], x[..., ::2]], dim=-1).reshape_as(x)
        x = x * torch.cos(angle) + rotated * torch.sin(angle)
        return torch.cat([x, rest], dim=-1) if rest.shape[-1] else x


class GLU(nn.Module):
    """Channel mixer: l3(act(l1(x)) * l2(x)). The original configs name act 'swish', which its
    activation lookup does not know and maps to the identity, so TransNormer's GLU is bilinear;
    act='identity' reproduces that, act='silu' gives the SwiGLU the name suggests."""

    def __init__(self, dim: int, hidden: int, act: str = "identity") -> None:
        super().__init__()
        self.l1 = nn.Linear(dim, hidden)
        self.l2 = nn.Linear(dim, hidden)
        self.l3 = nn.Linear(hidden, dim)
        self.act = act

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        gate = self.l1(x)
        if self.act == "silu":
            gate = F.silu(gate)
        elif self.act == "gelu":
            gate = F.gelu(gate)
        elif self.act != "identity":
            raise ValueError(f"GLU act must be identity, silu or gelu, got {self.act!r}")
        return self.l3(gate * self.l2(x))


class FeedForward(nn.Module):
    """Linear -> GELU -> Linear (OpenNLPLab/lra's FF block)."""

    def __init__(self, dim: int, hidden: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dropout(self.fc2(F.gelu(self.fc1(x))))


def sinusoidal_table(num_positions: int, dim: int, padding_idx: int | None) -> torch.Tensor:
    """fairseq's SinusoidalPositionalEmbedding.get_embedding: [sin | cos] halves, the padding row zero."""
    half = dim // 2
    freq = torch.exp(torch.arange(half, dtype=torch.float) * -(math.log(10000) / (half - 1)))
    angle = torch.arange(num_positions, dtype=torch.float).unsqueeze(1) * freq.unsqueeze(0)
    table = torch.cat([torch.sin(angle), torch.cos(angle)], dim=1)
    if dim % 2:
        table = torch.cat([table, torch.zeros(num_positions, 1)], dim=1)
    if padding_idx is not None:
        table[padding_idx] = 0
    return table
