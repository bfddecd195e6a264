"""TransNormer's token mixers: NormAttention (linear, no scaling, normalised output) and DiagAttention
(attention inside non-overlapping diagonal blocks), plus the scaled linear attention the paper ablates.

Layout inside this file: pure functions over (b, h, n, e) tensors first (naive masked, chunked,
recurrent, bidirectional), then the nn.Modules that project, apply the positional transform, call them
and normalise. Every fast form is tested equal to `norm_linear_naive`.

Original: OpenNLPLab/fairseq-evo fairseq/modules/x_attention/norm_linear_attention.py (NormLinearAttention)
and norm_local_attention.py (NormLocalAttention.forward_chunk).
"""

from __future__ import annotations

import math
from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn

from shared.norms import SimpleRMSNorm
from transnormer.layers import RelativePositionTransform, make_norm

Kernel = Literal["elu", "1+elu", "relu", "identity"]


def feature_map(x: torch.Tensor, kernel: Kernel) -> torch.Tensor:
    """The kernel phi applied to queries and keys (fairseq-evo helpers.get_activation_fn)."""
    if kernel == "elu":
        return F.elu(x)
    if kernel == "1+elu":
        return 1 + F.elu(x)
    if kernel == "relu":
        return F.relu(x)
    if kernel == "identity":
        return x
    raise ValueError(f"unknown kernel {kernel!r}; expected elu, 1+elu, relu or identity")


# ----------------------------------------------------------------------------------------------
# linear attention without scaling: o_i = sum_{j<=i} (q_i . k_j) v_j  (causal) or sum_j (bidirectional)


def norm_linear_naive(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, causal: bool) -> torch.Tensor:
    """Reference form, quadratic in n: the masked (n, n) score matrix, as the original computes it."""
    scores = q @ k.transpose(-1, -2)  # b, h, n, n
    if causal:
        n = q.shape[-2]
        keep = torch.ones(n, n, dtype=torch.bool, device=q.device).tril()
        scores = scores.masked_fill(~keep, 0.0)
    return scores @ v  # b, h, n, e


def norm_linear_bidirectional(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """q (k^T v): linear in n."""
    return q @ (k.transpose(-1, -2) @ v)  # (b, h, n, d) @ (b, h, d, e)


def norm_linear_chunked(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, chunk_size: int = 64, state: torch.Tensor | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Causal linear attention in O(n c d + n d e): quadratic inside each chunk of `chunk_size` tokens,
    a running state S = sum_j k_j^T v_j (b, h, d, e) carried across chunks.

    Returns the output (b, h, n, e) and the final state, so a long sequence may be fed in pieces."""
    b, h, n, d = q.shape
    e = v.shape[-1]
    pad = (-n) % chunk_size
    if pad:  # zero keys/values at the end contribute nothing to earlier queries
        q, k, v = (F.pad(t, (0, 0, 0, pad)) for t in (q, k, v))
    g = (n + pad) // chunk_size
    qc, kc, vc = (t.reshape(b, h, g, chunk_size, t.shape[-1]) for t in (q, k, v))  # b, h, g, c, *
    # in place: the (c, c) scores of every chunk are the largest temporary, so no masked copy of them
    intra = (qc @ kc.transpose(-1, -2)).tril_() @ vc  # b, h, g, c, e
    kv = kc.transpose(-1, -2) @ vc  # b, h, g, d, e: each chunk's contribution to the state
    # state before chunk i: the sum over chunks < i (an exclusive prefix sum over g)
    prefix = torch.cumsum(kv, dim=2).sub_(kv)  # in place ops below: autograd needs none of these outputs
    if state is not None:
        prefix = prefix + state.unsqueeze(2)
    out = intra.add_(qc @ prefix).reshape(b, h, g * chunk_size, e)[:, :, :n]  # + inter-chunk part
    final = prefix[:, :, -1] + kv[:, :, -1]
    return out, final


def norm_linear_step(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, state: torch.Tensor | None
) -> tuple[torch.Tensor, torch.Tensor]:
    """One token of causal linear attention as a recurrence: S_t = S_{t-1} + k_t^T v_t, o_t = q_t S_t.

    q, k: (b, h, d); v: (b, h, e); state: (b, h, d, e) or None. Cost independent of the position."""
    kv = k.unsqueeze(-1) * v.unsqueeze(-2)  # b, h, d, e
    state = kv if state is None else state + kv
    return (q.unsqueeze(-2) @ state).squeeze(-2), state


# ----------------------------------------------------------------------------------------------
# the scaled (vanilla) linear attention the paper ablates: o_i = sum_j (q_i . k_j) v_j / sum_j q_i . k_j


def scaled_linear_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, causal: bool, eps: float = 1e-6
) -> torch.Tensor:
    """Katharopoulos et al.'s linear attention (the denominator the paper calls scaling)."""
    if causal:
        kv = torch.cumsum(k.unsqueeze(-1) * v.unsqueeze(-2), dim=-3)  # b, h, n, d, e
        num = (q.unsqueeze(-2) @ kv).squeeze(-2)
        den = (q * torch.cumsum(k, dim=-2)).sum(-1, keepdim=True)
    else:
        num = q @ (k.transpose(-1, -2) @ v)
        den = q @ k.sum(dim=-2, keepdim=True).transpose(-1, -2)
    return num / (den + eps)


# ----------------------------------------------------------------------------------------------
# modules


class NormAttention(nn.Module):
    """Linear attention with the scaling replaced by a normalisation of the output.

    x -> q, k, v (per head) -> phi(q), phi(k) -> positional transform -> q (k^T v) (masked when causal)
      -> concatenate heads -> norm over the model width -> out_proj.
    `scaling=True` gives the ablated vanilla linear attention (denominator, no output norm).
    """

    def __init__(
        self,
        dim: int,
        num_heads: int,
        kernel: Kernel = "elu",
        causal: bool = True,
        norm: str = "simplermsnorm",
        positional: RelativePositionTransform | None = None,
        chunk_size: int = 64,
        scaling: bool = False,
        impl: Literal["chunked", "naive"] = "chunked",
    ) -> None:
        super().__init__()
        if dim % num_heads:
            raise ValueError(f"dim {dim} must be divisible by num_heads {num_heads}")
        self.num_heads = num_heads
        self.head_dim = dim // num_heads
        self.kernel = kernel
        self.causal = causal
        self.chunk_size = chunk_size
        self.scaling = scaling
        self.impl = impl
        self.q_proj = nn.Linear(dim, dim)
        self.k_proj = nn.Linear(dim, dim)
        self.v_proj = nn.Linear(dim, dim)
        self.out_proj = nn.Linear(dim, dim)
        self.norm = nn.Identity() if scaling else make_norm(norm, dim)
        self.positional = positional
        self.reset_parameters()

    def reset_parameters(self) -> None:
        # as the original (NormLinearAttention.reset_parameters)
        for proj in (self.q_proj, self.k_proj, self.v_proj):
            nn.init.xavier_uniform_(proj.weight, gain=1 / math.sqrt(2))
        nn.init.xavier_uniform_(self.out_proj.weight)
        nn.init.zeros_(self.out_proj.bias)

    def _heads(self, x: torch.Tensor) -> torch.Tensor:
        b, n, _ = x.shape
        return x.view(b, n, self.num_heads, self.head_dim).transpose(1, 2)  # b, h, n, e

    def qkv(self, x: torch.Tensor, offset: int = 0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        q = feature_map(self._heads(self.q_proj(x)), self.kernel)
        k = feature_map(self._heads(self.k_proj(x)), self.kernel)
        v = self._heads(self.v_proj(x))
        if self.positional is not None:
            q, k = self.positional(q, offset), self.positional(k, offset)
        return q, k, v

    def _merge(self, o: torch.Tensor) -> torch.Tensor:
        b, h, n, e = o.shape
        o = o.transpose(1, 2).reshape(b, n, h * e)  # b, n, d
        return self.out_proj(self.norm(o))

    def forward(self, x: torch.Tensor, padding_mask: torch.Tensor | None = None) -> torch.Tensor:
        """x: (b, n, d); padding_mask: (b, n), True at padding (its keys and values are zeroed)."""
        q, k, v = self.qkv(x)
        if padding_mask is not None:
            keep = (~padding_mask)[:, None, :, None].to(k.dtype)
            k, v = k * keep, v * keep
        if self.scaling:
            o = scaled_linear_attention(q, k, v, self.causal)
        elif not self.causal:
            o = norm_linear_bidirectional(q, k, v)
        elif self.impl == "naive":
            o = norm_linear_naive(q, k, v, causal=True)
        else:
            o, _ = norm_linear_chunked(q, k, v, self.chunk_size)
        return self._merge(o)

    def step(self, x: torch.Tensor, state: dict) -> torch.Tensor:
        """One new token x (b, 1, d) of causal generation; `state` (a dict, updated in place) holds the
        running k^T v and the position."""
        if not self.causal or self.scaling:
            raise RuntimeError("step() is the recurrent form of causal NormAttention")
        pos = state.get("pos", 0)
        q, k, v = self.qkv(x, offset=pos)
        o, state["kv"] = norm_linear_step(q[:, :, 0], k[:, :, 0], v[:, :, 0], state.get("kv"))
        state["pos"] = pos + 1
        return self._merge(o.unsqueeze(2))


class DiagAttention(nn.Module):
    """Attention restricted to non-overlapping diagonal blocks of `block_size` tokens (O(n w d)).

    `softmax=True` (TransNormer T2): softmax attention in each block, no output norm.
    `softmax=False` (T1): ReLU of the scores (masked to 0 when causal) and a norm of the output.
    The sequence is zero-padded to a multiple of the block size after the projections, as in the
    original, so in the bidirectional case the last block's queries also see those zero keys.
    Positions of the relative-position transform restart in every block, as in the original.
    """

    def __init__(
        self,
        dim: int,
        num_heads: int,
        block_size: int = 64,
        causal: bool = True,
        softmax: bool = False,
        norm: str = "simplermsnorm",
        positional: RelativePositionTransform | None = None,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        if dim % num_heads:
            raise ValueError(f"dim {dim} must be divisible by num_heads {num_heads}")
        self.num_heads = num_heads
        self.head_dim = dim // num_heads
        self.block_size = block_size
        self.causal = causal
        self.softmax = softmax
        self.q_proj = nn.Linear(dim, dim)
        self.k_proj = nn.Linear(dim, dim)
        self.v_proj = nn.Linear(dim, dim)
        self.out_proj = nn.Linear(dim, dim)
        self.norm = nn.Identity() if softmax else make_norm(norm, dim)
        self.positional = positional
        self.dropout = nn.Dropout(dropout)
        for proj in (self.q_proj, self.k_proj, self.v_proj, self.out_proj):
            nn.init.xavier_uniform_(proj.weight)
        nn.init.zeros_(self.out_proj.bias)

    def forward(self, x: torch.Tensor, padding_mask: torch.Tensor | None = None) -> torch.Tensor:
        b, n, d = x.shape
        w, h, e = self.block_size, self.num_heads, self.head_dim
        q = self.q_proj(x) * e**-0.5
        k, v = self.k_proj(x), self.v_proj(x)
        pad = (-n) % w
        q, k, v = (F.pad(t, (0, 0, 0, pad)) for t in (q, k, v))
        g = (n + pad) // w
        # b, n', d -> b, h, g, w, e
        q, k, v = (t.view(b, g, w, h, e).permute(0, 3, 1, 2, 4) for t in (q, k, v))
        if self.positional is not None:
            q, k = self.positional(q), self.positional(k)
        logits = q @ k.transpose(-1, -2)  # b, h, g, w, w
        if padding_mask is not None:
            masked = F.pad(padding_mask, (0, pad), value=False).view(b, 1, g, 1, w)
            logits = logits.masked_fill(masked, -1e8 if self.softmax else 0.0)
        if self.causal:
            future = torch.ones(w, w, dtype=torch.bool, device=x.device).triu(1)
            logits = logits.masked_fill(future, -1e8 if self.softmax else 0.0)
        prob = logits.softmax(dim=-1) if self.softmax else F.relu(logits)
        o = self.dropout(prob) @ v  # b, h, g, w, e
        o = o.permute(0, 2, 3, 1, 4).reshape(b, g * w, d)[:, :n]
        return self.out_proj(self.norm(o))


__all__ = [
    "DiagAttention",
    "NormAttention",
    "SimpleRMSNorm",
    "feature_map",
    "norm_linear_bidirectional",
    "norm_linear_chunked",
    "norm_linear_naive",
    "norm_linear_step",
    "scaled_linear_attention",
]
