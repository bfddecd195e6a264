"""TNN models: the autoregressive LM, the bidirectional (RoBERTa-style) LM and the LRA encoders.

Autoregressive LM (fairseq-evo `tnn_v2_decay_99_pre` on fairseq's TransformerDecoder):
    tokens -> embed * sqrt(d) -> dropout -> L x TnnLayer(causal, pre-norm) -> LayerNorm -> tied output
Bidirectional LM (`roberta_tnn_v2_decay_99` on fairseq's RoBERTa encoder):
    tokens -> embed -> LayerNorm -> dropout -> L x TnnLayer(bidirectional, post-norm) -> LM head (tied)
No positional embeddings anywhere: the TNO's relative positions are the only position signal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from tnn.layers import TnnLayer


@dataclass
class TnnConfig:
    vocab_size: int = 50264
    dim: int = 512
    layers: int = 7
    heads: int = 1
    expand_ratio: float = 3.0  # GTU inner width / dim
    glu_dim: int = 512
    causal: bool = True
    prenorm: bool = True
    norm: str = "simplermsnorm"  # the blocks' norms
    use_decay: bool = True
    gamma: float = 0.99
    rpe_dim: int = 64
    rpe_layers: int = 6
    rpe_act: str = "relu"
    rpe_residual: bool = False
    dropout: float = 0.1
    padding_idx: int = 1  # fairseq dictionaries: <s>=0 <pad>=1 </s>=2 <unk>=3
    scale_embedding: bool = True  # fairseq's embed_scale = sqrt(dim)
    embed_norm: bool = False  # RoBERTa's layernorm_embedding
    final_norm: bool = True  # fairseq decoder's final LayerNorm (pre-norm models)


def build_layers(cfg: TnnConfig) -> nn.ModuleList:
    return nn.ModuleList(
        TnnLayer(cfg.dim, cfg.glu_dim, prenorm=cfg.prenorm, norm=cfg.norm, dropout=cfg.dropout, heads=cfg.heads,
                 expand_ratio=cfg.expand_ratio, causal=cfg.causal, use_decay=cfg.use_decay, gamma=cfg.gamma,
                 rpe_dim=cfg.rpe_dim, rpe_layers=cfg.rpe_layers, rpe_act=cfg.rpe_act, rpe_residual=cfg.rpe_residual)
        for _ in range(cfg.layers)
    )


class TnnBackbone(nn.Module):
    """tokens (b, n) -> features (b, n, dim)."""

    def __init__(self, cfg: TnnConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.embed_tokens = nn.Embedding(cfg.vocab_size, cfg.dim, padding_idx=cfg.padding_idx)
        nn.init.normal_(self.embed_tokens.weight, std=cfg.dim**-0.5)  # as fairseq's Embedding
        nn.init.zeros_(self.embed_tokens.weight[cfg.padding_idx])
        self.embed_scale = math.sqrt(cfg.dim) if cfg.scale_embedding else 1.0
        self.embed_norm = nn.LayerNorm(cfg.dim) if cfg.embed_norm else None
        self.dropout = nn.Dropout(cfg.dropout)
        self.layers = build_layers(cfg)
        self.final_norm = nn.LayerNorm(cfg.dim) if cfg.final_norm else None

    def forward(self, tokens: torch.Tensor, padding_mask: torch.Tensor | None = None) -> torch.Tensor:
        x = self.embed_scale * self.embed_tokens(tokens)  # b, n, d
        if self.embed_norm is not None:
            x = self.embed_norm(x)
        x = self.dropout(x)
        if padding_mask is not None:  # as fairseq's encoder: padded positions enter as zeros
            x = x * (~padding_mask).unsqueeze(-1).to(x.dtype)
        for layer in self.layers:
            x = layer(x)
        return self.final_norm(x) if self.final_norm is not None else x


class TnnLM(nn.Module):
    """Autoregressive LM: logits (b, n, vocab) for next-token prediction; output tied to the embedding."""

    def __init__(self, cfg: TnnConfig) -> None:
        super().__init__()
        if not cfg.causal:
            raise ValueError("TnnLM: model.causal must be True for an autoregressive LM")
        self.cfg = cfg
        self.backbone = TnnBackbone(cfg)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        x = self.backbone(tokens)
        return nn.functional.linear(x, self.backbone.embed_tokens.weight)  # b, n, vocab


class MaskedLMHead(nn.Module):
    """RoBERTa's LM head: dense -> gelu -> LayerNorm -> tied projection + bias."""

    def __init__(self, dim: int, vocab_size: int) -> None:
        super().__init__()
        self.dense = nn.Linear(dim, dim)
        self.layer_norm = nn.LayerNorm(dim)
        self.bias = nn.Parameter(torch.zeros(vocab_size))

    def forward(self, x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        x = self.layer_norm(nn.functional.gelu(self.dense(x)))
        return nn.functional.linear(x, weight) + self.bias


class TnnMaskedLM(nn.Module):
    """Bidirectional LM for masked-token pretraining."""

    def __init__(self, cfg: TnnConfig) -> None:
        super().__init__()
        if cfg.causal:
            raise ValueError("TnnMaskedLM: model.causal must be False for a bidirectional LM")
        self.cfg = cfg
        self.backbone = TnnBackbone(cfg)
        self.lm_head = MaskedLMHead(cfg.dim, cfg.vocab_size)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        padding_mask = tokens.eq(self.cfg.padding_idx)
        return self.lm_head(self.backbone(tokens, padding_mask), self.backbone.embed_tokens.weight)


def alm_config(**overrides) -> TnnConfig:
    """`tnn_v2_decay_99_pre`: 7 layers, d 512, 1 head, GTU x3, RPE 6 x 64, lambda 0.99, pre-norm."""
    return TnnConfig(**overrides)


def blm_config(**overrides) -> TnnConfig:
    """`roberta_tnn_v2_decay_99`: RoBERTa-base widths (12 x 768), bidirectional, post-norm, embedding LayerNorm."""
    base = dict(dim=768, layers=12, glu_dim=768, causal=False, prenorm=False, scale_embedding=False,
                embed_norm=True, final_norm=False, vocab_size=50265)
    base.update(overrides)
    return TnnConfig(**base)
