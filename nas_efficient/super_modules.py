"""Weight-sharing layers: each holds the largest shape of the search space and computes with the
leading slice that the sampled sub-network asks for (HAT's scheme, as mixFormer uses it).

Every `forward` takes the sampled sizes as arguments rather than reading state set beforehand, so a
module can never run with a stale configuration.
"""

from __future__ import annotations

from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn

from nas_efficient.attention import cosformer_attention, softmax_attention

AttentionKind = Literal["cosformer", "softmax"]


class SuperLinear(nn.Linear):
    """y = x W[:out, :in]ᵀ + b[:out]."""

    def forward(self, x: torch.Tensor, out_features: int | None = None) -> torch.Tensor:  # type: ignore[override]
        out_features = out_features or self.out_features
        bias = self.bias[:out_features] if self.bias is not None else None
        return F.linear(x, self.weight[:out_features, : x.shape[-1]], bias)


class SuperLayerNorm(nn.LayerNorm):
    """LayerNorm over the first `x.shape[-1]` channels of the shared affine parameters."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        dim = x.shape[-1]
        return F.layer_norm(x, (dim,), self.weight[:dim], self.bias[:dim], self.eps)


class SuperPatchEmbed(nn.Module):
    """Non-overlapping patches -> the first `embed_dim` output channels of a shared Conv2d."""

    def __init__(self, image_size: int, patch_size: int, in_chans: int, embed_dim: int) -> None:
        super().__init__()
        if image_size % patch_size:
            raise ValueError(f"image_size {image_size} is not a multiple of patch_size {patch_size}")
        self.image_size = image_size
        self.num_patches = (image_size // patch_size) ** 2
        self.proj = nn.Conv2d(in_chans, embed_dim, kernel_size=patch_size, stride=patch_size)

    def forward(self, images: torch.Tensor, embed_dim: int) -> torch.Tensor:
        if images.shape[-2:] != (self.image_size, self.image_size):
            raise ValueError(f"expected {self.image_size}x{self.image_size} images, got {tuple(images.shape[-2:])}")
        x = F.conv2d(images, self.proj.weight[:embed_dim], self.proj.bias[:embed_dim], stride=self.proj.stride)
        return x.flatten(2).transpose(1, 2)  # b, patches, embed_dim


class SuperSelfAttention(nn.Module):
    """Multi-head self-attention whose projections are shared by every sampled width.

    As the original (`_in_proj`), the sampled q, k and v projections are the three consecutive blocks
    of the first 3·q_dim rows of `in_proj_weight` (q_dim = heads · head_dim), not slices of three
    fixed thirds; at full width the two layouts coincide.
    """

    def __init__(self, embed_dim: int, qkv_dim: int, kind: AttentionKind, causal: bool = False,
                 dropout: float = 0.0) -> None:
        super().__init__()
        self.kind = kind
        self.causal = causal
        self.dropout = dropout
        self.in_proj_weight = nn.Parameter(torch.empty(3 * qkv_dim, embed_dim))
        self.in_proj_bias = nn.Parameter(torch.zeros(3 * qkv_dim))
        self.out_proj = SuperLinear(qkv_dim, embed_dim)
        nn.init.xavier_uniform_(self.in_proj_weight)
        nn.init.xavier_uniform_(self.out_proj.weight)
        nn.init.zeros_(self.out_proj.bias)

    def forward(self, x: torch.Tensor, heads: int, head_dim: int, memory: torch.Tensor | None = None,
                key_padding_mask: torch.Tensor | None = None, length: float | None = None,
                key_length: float | None = None) -> torch.Tensor:
        """x: (b, n, e) queries. memory: (b, s, e_kv) keys/values for cross-attention (default: x).
        key_padding_mask: (b, s), True at padded keys: softmax gives them no weight; for cosFormer their
        keys and values are zeroed, so they add nothing to k'ᵀv or to the normaliser.
        length, key_length: replace the queries' / keys' own length in cosFormer's θ (see `cos_reweight`)."""
        b, n, embed_dim = x.shape
        q_dim = heads * head_dim
        if 3 * q_dim > self.in_proj_weight.shape[0]:
            raise ValueError(f"{heads} heads x {head_dim} exceed the shared qkv width {self.in_proj_weight.shape[0] // 3}")
        w, bias = self.in_proj_weight, self.in_proj_bias
        if memory is None:
            qkv = F.linear(x, w[: 3 * q_dim, :embed_dim], bias[: 3 * q_dim])
            q, k, v = qkv.chunk(3, dim=-1)
        else:  # the original's _in_proj_q / _in_proj_kv: same row blocks, k/v read the memory's width
            q = F.linear(x, w[:q_dim, :embed_dim], bias[:q_dim])
            k, v = F.linear(memory, w[q_dim: 3 * q_dim, : memory.shape[-1]], bias[q_dim: 3 * q_dim]).chunk(2, dim=-1)
        s = k.shape[1]
        q = q.reshape(b, n, heads, head_dim)  # b, n, h, d
        k, v = k.reshape(b, s, heads, head_dim), v.reshape(b, s, heads, head_dim)  # b, s, h, d
        if self.kind == "cosformer":
            if key_padding_mask is not None:
                keep = (~key_padding_mask)[:, :, None, None].to(k.dtype)
                k, v = k * keep, v * keep  # relu(0) = 0: no feature, no value
            out = cosformer_attention(q, k, v, causal=self.causal, length=length, key_length=key_length)
        else:
            out = softmax_attention(q, k, v, causal=self.causal, dropout=self.dropout if self.training else 0.0,
                                    key_padding_mask=key_padding_mask)
        return self.out_proj(out.reshape(b, n, q_dim), embed_dim)
