"""The TNN block: a gated Toeplitz unit (token mixing) and a GLU (channel mixing), paper Fig. 2.

    x -> norm -> GTU -> dropout -> + x -> norm -> GLU -> dropout -> + (pre-norm, the LM)
    x -> GTU -> dropout -> + x -> norm -> GLU -> dropout -> + -> norm  (post-norm, the RoBERTa-style encoder)

GTU(x) = O( silu(U x) * TNO(silu(V x)) ); GLU(x) = W3( silu(W1 x) * W2 x ).
As fairseq-evo's GtuV2 / GLU / TnnV2{Encoder,Decoder}Layer.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from tnn.tno import Tno, build_activation, build_norm


class Glu(nn.Module):
    def __init__(self, dim: int, hidden_dim: int, act: str = "silu", bias: bool = True) -> None:
        super().__init__()
        self.l1 = nn.Linear(dim, hidden_dim, bias=bias)
        self.l2 = nn.Linear(dim, hidden_dim, bias=bias)
        self.l3 = nn.Linear(hidden_dim, dim, bias=bias)
        self.act = build_activation(act)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.l3(self.act(self.l1(x)) * self.l2(x))


class Gtu(nn.Module):
    def __init__(self, dim: int, heads: int = 1, expand_ratio: float = 3, causal: bool = True, act: str = "silu",
                 bias: bool = True, use_decay: bool = True, gamma: float = 0.99, rpe_dim: int = 64,
                 rpe_layers: int = 6, rpe_act: str = "relu", rpe_norm: str = "simplermsnorm",
                 rpe_residual: bool = False) -> None:
        super().__init__()
        inner = int(expand_ratio * dim) // heads * heads  # as the original: a multiple of the heads
        self.u_proj = nn.Linear(dim, inner, bias=bias)
        self.v_proj = nn.Linear(dim, inner, bias=bias)
        self.out_proj = nn.Linear(inner, dim, bias=bias)
        self.act = build_activation(act)
        self.tno_args = (inner, rpe_dim, causal, use_decay, gamma, rpe_layers, rpe_act, rpe_norm, bias, rpe_residual)
        self.tno = Tno(*self.tno_args)

    def mix(self, v: torch.Tensor) -> torch.Tensor:
        return self.tno(v)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # x: b, n, d
        u = self.act(self.u_proj(x))  # b, n, inner
        v = self.act(self.v_proj(x))
        return self.out_proj(u * self.mix(v))  # b, n, d


class Gtu2d(Gtu):
    """GTU over an image laid out as n = H * W tokens (H = floor(sqrt(n))), bidirectional, with one TNO
    along rows (`tno`, over W) and one along columns (`tno_h`, over H):
    mode "compose": T_h T_w v + T_w T_h v (OpenNLPLab/lra gtu2d.py, the LRA image-like tasks);
    mode "sum": T_h v + T_w v (OpenNLPLab/im tnn_1d/gtu.py, the image classifier)."""

    def __init__(self, dim: int, mode: str = "compose", **kwargs) -> None:
        if mode not in ("compose", "sum"):
            raise ValueError(f"Gtu2d mode {mode!r}: expected 'compose' or 'sum'")
        kwargs["causal"] = False
        super().__init__(dim, **kwargs)
        self.mode = mode
        self.tno_h = Tno(*self.tno_args)  # same settings, its own RPE

    @staticmethod
    def along(tno: Tno, v: torch.Tensor, axis: int) -> torch.Tensor:
        # v: b, H, W, e; mix along H (axis 1) or W (axis 2)
        b, h, w, e = v.shape
        if axis == 2:
            return tno(v.reshape(b * h, w, e)).reshape(b, h, w, e)
        return tno(v.transpose(1, 2).reshape(b * w, h, e)).reshape(b, w, h, e).transpose(1, 2)

    def mix(self, v: torch.Tensor) -> torch.Tensor:
        b, n, e = v.shape
        h = math.isqrt(n)
        if h * (n // h) != n:
            raise ValueError(f"Gtu2d: {n} tokens do not form an H x W grid with H = floor(sqrt(n))")
        grid = v.reshape(b, h, n // h, e)
        if self.mode == "sum":
            return (self.along(self.tno_h, grid, 1) + self.along(self.tno, grid, 2)).reshape(b, n, e)
        rows_then_cols = self.along(self.tno_h, self.along(self.tno, grid, 2), 1)
        cols_then_rows = self.along(self.tno, self.along(self.tno_h, grid, 1), 2)
        return (rows_then_cols + cols_then_rows).reshape(b, n, e)


class TnnLayer(nn.Module):
    def __init__(self, dim: int, glu_dim: int, prenorm: bool = True, norm: str = "simplermsnorm",
                 dropout: float = 0.0, glu_act: str = "silu", two_d: str | None = None, **gtu_kwargs) -> None:
        """`two_d`: None for sequences, else the Gtu2d mode ("compose" or "sum") for H x W grids."""
        super().__init__()
        self.prenorm = prenorm
        self.token_norm = build_norm(norm, dim)
        self.gtu = Gtu2d(dim, mode=two_d, **gtu_kwargs) if two_d else Gtu(dim, **gtu_kwargs)
        self.channel_norm = build_norm(norm, dim)
        self.glu = Glu(dim, glu_dim, glu_act, gtu_kwargs.get("bias", True))
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.prenorm:
            x = x + self.dropout(self.gtu(self.token_norm(x)))
            return x + self.dropout(self.glu(self.channel_norm(x)))
        x = self.token_norm(x + self.dropout(self.gtu(x)))
        return self.channel_norm(x + self.dropout(self.glu(x)))
