"""LRA's softmax Transformer encoder (lra_benchmarks/models/transformer/transformer.py) in plain PyTorch.

Pre-LayerNorm blocks: x + Dropout(SelfAttention(LN(x))), then x + MLP(LN(x)) with MLP = Dense(mlp_dim),
GELU, Dropout, Dense(emb_dim), Dropout; a final LayerNorm. Attention projects to `qkv_dim` split over
`num_heads`, with no biases on q, k, v and the output (flax SelfAttention(bias=False)). Token embeddings
are initialised N(0, 1); positions are sinusoidal (fixed) unless `learned_pos_emb` (N(0, 0.02)), as
LRA's AddPositionEmbs; with `cls_token` a zero-initialised learned token is prepended (LRA does this
when the classifier pools with CLS). LayerNorm eps 1e-6 (flax default).

Interface of every LRA encoder here: `encoder(tokens, padding_mask) -> features`, tokens long (b, n),
padding_mask bool (b, n) True at padding, features (b, n, d) or (b, n + 1, d) with a CLS token first.
Padded keys are masked out of every attention row, so real positions never see padding.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


def sinusoidal_table(max_len: int, dim: int) -> torch.Tensor:
    """(max_len, dim): sin on even features, cos on odd ones, as LRA's sinusoidal_init."""
    position = torch.arange(max_len, dtype=torch.float32)[:, None]
    div = torch.exp(torch.arange(0, dim, 2, dtype=torch.float32) * -(math.log(10000.0) / dim))
    table = torch.zeros(max_len, dim)
    table[:, 0::2] = torch.sin(position * div)
    table[:, 1::2] = torch.cos(position * div)[:, : dim // 2]
    return table


class SelfAttention(nn.Module):
    def __init__(self, emb_dim: int, qkv_dim: int, num_heads: int, attention_dropout: float) -> None:
        super().__init__()
        if qkv_dim % num_heads:
            raise ValueError(f"qkv_dim {qkv_dim} must be divisible by num_heads {num_heads}")
        self.num_heads = num_heads
        self.qkv = nn.Linear(emb_dim, 3 * qkv_dim, bias=False)
        self.out = nn.Linear(qkv_dim, emb_dim, bias=False)
        self.attention_dropout = attention_dropout

    def forward(self, x: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
        b, n, _ = x.shape
        q, k, v = self.qkv(x).view(b, n, 3, self.num_heads, -1).permute(2, 0, 3, 1, 4)  # 3 x (b, h, n, dh)
        mask = keep[:, None, None, :]  # b, 1, 1, n: True where a key may be attended
        drop = self.attention_dropout if self.training else 0.0
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=drop)  # b, h, n, dh
        return self.out(y.transpose(1, 2).reshape(b, n, -1))


class TransformerBlock(nn.Module):
    def __init__(self, emb_dim: int, qkv_dim: int, mlp_dim: int, num_heads: int, dropout: float, attention_dropout: float) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(emb_dim, eps=1e-6)
        self.attn = SelfAttention(emb_dim, qkv_dim, num_heads, attention_dropout)
        self.norm2 = nn.LayerNorm(emb_dim, eps=1e-6)
        self.mlp = nn.Sequential(
            nn.Linear(emb_dim, mlp_dim), nn.GELU(approximate="tanh"), nn.Dropout(dropout),  # flax nn.gelu is the tanh form
            nn.Linear(mlp_dim, emb_dim), nn.Dropout(dropout),
        )
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
        x = x + self.drop(self.attn(self.norm1(x), keep))
        return x + self.mlp(self.norm2(x))


class TransformerEncoder(nn.Module):
    def __init__(
        self,
        vocab_size: int,
        max_len: int,
        emb_dim: int = 512,
        num_heads: int = 8,
        num_layers: int = 4,
        qkv_dim: int = 512,
        mlp_dim: int = 1024,
        dropout: float = 0.1,
        attention_dropout: float = 0.1,
        learned_pos_emb: bool = False,
        cls_token: bool = True,
    ) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab_size, emb_dim)
        nn.init.normal_(self.embed.weight, std=1.0)
        self.cls = nn.Parameter(torch.zeros(1, 1, emb_dim)) if cls_token else None
        positions = max_len + int(cls_token)
        if learned_pos_emb:
            self.pos = nn.Parameter(torch.randn(1, positions, emb_dim) * 0.02)
        else:
            self.register_buffer("pos", sinusoidal_table(positions, emb_dim)[None], persistent=False)
        self.drop = nn.Dropout(dropout)
        self.blocks = nn.ModuleList(
            TransformerBlock(emb_dim, qkv_dim, mlp_dim, num_heads, dropout, attention_dropout) for _ in range(num_layers)
        )
        self.norm = nn.LayerNorm(emb_dim, eps=1e-6)
        self.out_dim = emb_dim
        for block in self.blocks:
            for module in block.modules():
                if isinstance(module, nn.Linear):
                    nn.init.xavier_uniform_(module.weight)
                    if module.bias is not None:
                        nn.init.normal_(module.bias, std=1e-6)

    def forward(self, tokens: torch.Tensor, padding_mask: torch.Tensor) -> torch.Tensor:
        x = self.embed(tokens)  # b, n, d
        keep = ~padding_mask
        if self.cls is not None:
            x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], dim=1)  # b, n + 1, d
            keep = torch.cat([keep.new_ones(keep.shape[0], 1), keep], dim=1)
        # an all-padding row would give softmax over nothing (NaN): let it attend to position 0
        keep = keep.clone()
        keep[:, 0] |= ~keep.any(dim=1)
        if x.shape[1] > self.pos.shape[1]:
            raise ValueError(f"sequence of {x.shape[1]} positions exceeds the encoder's max_len {self.pos.shape[1]}")
        x = self.drop(x + self.pos[:, : x.shape[1]])
        for block in self.blocks:
            x = block(x, keep)
        return self.norm(x)
