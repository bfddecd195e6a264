"""TNN models: the autoregressive LM, the bidirectional (RoBERTa-style) LM and the LRA encoders.

Autoregressive LM (fairseq-evo `tnn_v2_decay_99_pre` on fairseq's TransformerDecoder):
    tokens -> embed * sqrt(d) -> dropout -> L x TnnLayer(causal, pre-norm) -> LayerNorm -> tied output
Bidirectional LM (`roberta_tnn_v2_decay_99` on fairseq's RoBERTa encoder):
    tokens -> embed -> LayerNorm -> dropout -> L x TnnLayer(bidirectional, post-norm) -> LM head (tied)
No positional embeddings anywhere: the TNO's relative positions are the only position signal.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from tnn.config import TnnConfig, TnnLRAConfig, TnnVitConfig
from tnn.layers import TnnLayer


def build_layers(cfg: TnnConfig) -> nn.ModuleList:
    return nn.ModuleList(
        TnnLayer(cfg.embed_dim, cfg.glu_dim, prenorm=cfg.prenorm, norm=cfg.norm, dropout=cfg.dropout, heads=cfg.num_heads,
                 expand_ratio=cfg.expand_ratio, causal=cfg.causal, use_decay=cfg.use_decay, gamma=cfg.gamma,
                 rpe_dim=cfg.rpe_dim, rpe_layers=cfg.rpe_layers, rpe_act=cfg.rpe_act, rpe_residual=cfg.rpe_residual)
        for _ in range(cfg.num_layers)
    )


class TnnBackbone(nn.Module):
    """tokens (b, n) -> features (b, n, dim)."""

    def __init__(self, cfg: TnnConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.embed_tokens = nn.Embedding(cfg.vocab_size, cfg.embed_dim, padding_idx=cfg.padding_idx)
        nn.init.normal_(self.embed_tokens.weight, std=cfg.embed_dim**-0.5)  # as fairseq's Embedding
        nn.init.zeros_(self.embed_tokens.weight[cfg.padding_idx])
        self.embed_scale = math.sqrt(cfg.embed_dim) if cfg.scale_embedding else 1.0
        self.embed_norm = nn.LayerNorm(cfg.embed_dim) if cfg.embed_norm else None
        self.dropout = nn.Dropout(cfg.dropout)
        self.layers = build_layers(cfg)
        self.final_norm = nn.LayerNorm(cfg.embed_dim) if cfg.final_norm else None

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
        self.lm_head = MaskedLMHead(cfg.embed_dim, cfg.vocab_size)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        padding_mask = tokens.eq(self.cfg.padding_idx)
        return self.lm_head(self.backbone(tokens, padding_mask), self.backbone.embed_tokens.weight)


def build_model(cfg) -> nn.Module:
    """The architecture of an experiment config (no weights loaded): the LM of an `LMConfig` (autoregressive
    or, with `model.causal=False`, masked), the LRA classifier of an LRA config, the image classifier of a
    `TnnVitConfig` (or of a config holding one as `model`)."""
    model_cfg = getattr(cfg, "model", cfg)
    if isinstance(model_cfg, TnnConfig):
        return TnnLM(model_cfg) if model_cfg.causal else TnnMaskedLM(model_cfg)
    if isinstance(model_cfg, TnnLRAConfig):
        from tnn.lra import build_tnn_classifier

        return build_tnn_classifier(cfg.data.task, model_cfg, cfg.data.max_length)
    if isinstance(model_cfg, TnnVitConfig):
        from tnn.image import TnnVit

        return TnnVit(model_cfg)
    raise TypeError(f"build_model: no TNN model for a {type(model_cfg).__name__} config")
