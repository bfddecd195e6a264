"""TransNormer: DiagAttention in the first half of the layers, NormAttention in the second half.

    tokens -> embed * sqrt(d) + sinusoidal positions -> dropout
      -> [x + drop(DiagAttention(norm(x))); x + drop(GLU(norm(x)))]  x  num_layers // 2
      -> [x + drop(NormAttention(norm(x))); x + drop(GLU(norm(x)))]  x  num_layers - num_layers // 2
      -> norm -> tied output projection                                (autoregressive LM)

The bidirectional LM is RoBERTa-shaped (post-norm, learned positions, LayerNorm on the embedding,
LM head); the LRA encoder follows OpenNLPLab/lra (pre-norm, batch or layer norm, GELU feed-forward).
Config names follow fairseq-evo's `transnormer_t1` / `transnormer_t2` / `roberta_transnormer_t*`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn

from transnormer.attention import DiagAttention, Kernel, NormAttention
from transnormer.layers import GLU, FeedForward, RelativePositionTransform, make_norm, sinusoidal_table


@dataclass
class TransNormerConfig:
    vocab_size: int = 267_744  # fairseq's WikiText-103 dictionary (padded to a multiple of 8)
    dim: int = 512
    num_layers: int = 6
    num_heads: int = 8
    num_diag_layers: int = -1  # DiagAttention in the first layers; -1: half of them (the paper's arrangement)
    diag_first: bool = True  # False: NormAttention first, DiagAttention last (an ablation of the order)
    block_size: int = 64  # DiagAttention's block
    diag_softmax: bool = False  # T1: ReLU + norm in the blocks; T2: softmax
    kernel: Kernel = "elu"  # T1: elu; T2: 1+elu
    attention_norm: str = "simplermsnorm"
    scaling: bool = False  # True: vanilla (scaled) linear attention instead of NormAttention (ablation)
    layer_norm: str = "simplermsnorm"  # the pre-norms and the final norm
    glu_hidden: int = -1  # -1: int(8/3 * dim), as the original
    glu_act: str = "identity"
    positional: bool = True  # the relative positional transform on q, k (learned rotary + householder)
    max_positions: int = 512
    dropout: float = 0.1
    attention_dropout: float = 0.0
    chunk_size: int = 64  # NormAttention's chunked causal form
    padding_idx: int = 1
    tie_embeddings: bool = True
    causal: bool = True

    @property
    def diag_layers(self) -> int:
        return self.num_layers // 2 if self.num_diag_layers < 0 else self.num_diag_layers

    def mixer_kinds(self) -> list[str]:
        """'diag' or 'norm' per layer, in order."""
        n_diag = self.diag_layers
        kinds = ["diag"] * n_diag + ["norm"] * (self.num_layers - n_diag)
        return kinds if self.diag_first else kinds[::-1]


def build_mixer(cfg: TransNormerConfig, kind: str) -> nn.Module:
    head_dim = cfg.dim // cfg.num_heads
    positional = RelativePositionTransform(head_dim) if cfg.positional else None
    if kind == "diag":
        return DiagAttention(cfg.dim, cfg.num_heads, cfg.block_size, cfg.causal, cfg.diag_softmax,
                             cfg.attention_norm, positional, cfg.attention_dropout)
    return NormAttention(cfg.dim, cfg.num_heads, cfg.kernel, cfg.causal, cfg.attention_norm, positional,
                         cfg.chunk_size, cfg.scaling)


class TransNormerLayer(nn.Module):
    """A token mixer and a GLU channel mixer, each in a residual branch with a norm before (pre_norm)
    or after the residual sum (post-norm, the RoBERTa layout)."""

    def __init__(self, cfg: TransNormerConfig, kind: str, pre_norm: bool = True) -> None:
        super().__init__()
        self.kind = kind
        self.pre_norm = pre_norm
        self.self_attn = build_mixer(cfg, kind)
        self.self_attn_layer_norm = make_norm(cfg.layer_norm, cfg.dim)
        hidden = cfg.glu_hidden if cfg.glu_hidden > 0 else int(8 / 3 * cfg.dim)
        self.glu = GLU(cfg.dim, hidden, cfg.glu_act)
        self.final_layer_norm = make_norm(cfg.layer_norm, cfg.dim)
        self.dropout = nn.Dropout(cfg.dropout)

    def _branch(self, x: torch.Tensor, fn, norm: nn.Module) -> torch.Tensor:
        if self.pre_norm:
            return x + self.dropout(fn(norm(x)))
        return norm(x + self.dropout(fn(x)))

    def forward(self, x: torch.Tensor, padding_mask: torch.Tensor | None = None) -> torch.Tensor:
        x = self._branch(x, lambda y: self.self_attn(y, padding_mask), self.self_attn_layer_norm)
        return self._branch(x, self.glu, self.final_layer_norm)

    def step(self, x: torch.Tensor, state: dict) -> torch.Tensor:
        """Causal generation, one token (b, 1, d); DiagAttention keeps the current block's inputs."""
        y = self.self_attn_layer_norm(x)
        if self.kind == "norm":
            y = self.self_attn.step(y, state)
        else:
            block = state.get("block")
            block = y if block is None or block.shape[1] == self.self_attn.block_size else torch.cat([block, y], 1)
            state["block"] = block
            y = self.self_attn(block)[:, -1:]
        x = x + y
        return x + self.glu(self.final_layer_norm(x))


class TransNormerLM(nn.Module):
    """The autoregressive language model (fairseq-evo `transnormer_t1` / `transnormer_t2`)."""

    def __init__(self, cfg: TransNormerConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.embed_tokens = nn.Embedding(cfg.vocab_size, cfg.dim, padding_idx=cfg.padding_idx)
        nn.init.normal_(self.embed_tokens.weight, std=cfg.dim**-0.5)  # fairseq's Embedding init
        nn.init.zeros_(self.embed_tokens.weight[cfg.padding_idx])
        self.embed_scale = math.sqrt(cfg.dim)
        # fairseq positions start after the padding index
        table = sinusoidal_table(cfg.max_positions + cfg.padding_idx + 1, cfg.dim, cfg.padding_idx)
        self.register_buffer("positions", table, persistent=False)
        self.dropout = nn.Dropout(cfg.dropout)
        self.layers = nn.ModuleList(TransNormerLayer(cfg, kind) for kind in cfg.mixer_kinds())
        self.layer_norm = make_norm(cfg.layer_norm, cfg.dim)
        self.output_projection = nn.Linear(cfg.dim, cfg.vocab_size, bias=False)
        if cfg.tie_embeddings:
            self.output_projection.weight = self.embed_tokens.weight
        else:
            nn.init.normal_(self.output_projection.weight, std=cfg.dim**-0.5)

    def embed(self, tokens: torch.Tensor, start: int = 0) -> torch.Tensor:
        n = tokens.shape[1]
        if start + n > self.cfg.max_positions:
            raise ValueError(f"sequence of {start + n} tokens exceeds max_positions={self.cfg.max_positions}")
        not_pad = tokens.ne(self.cfg.padding_idx)
        # fairseq make_positions: padding_idx + running count of non-padding tokens, padding at padding_idx
        pos = (torch.cumsum(not_pad, dim=1) + start) * not_pad + self.cfg.padding_idx
        return self.dropout(self.embed_scale * self.embed_tokens(tokens) + self.positions[pos])

    def features(self, tokens: torch.Tensor) -> torch.Tensor:
        x = self.embed(tokens)  # b, n, d
        for layer in self.layers:
            x = layer(x)
        return self.layer_norm(x)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """tokens (b, n) -> next-token logits (b, n, vocab)."""
        return self.output_projection(self.features(tokens))

    @torch.no_grad()
    def step(self, token: torch.Tensor, states: list[dict]) -> torch.Tensor:
        """Recurrent generation: one token (b, 1) -> logits (b, 1, vocab); `states` has one dict per layer."""
        pos = states[0].get("t", 0)
        states[0]["t"] = pos + 1
        x = self.embed(token, start=pos)
        for layer, state in zip(self.layers, states, strict=True):
            x = layer.step(x, state)
        return self.output_projection(self.layer_norm(x))


class TransNormerBidirectional(nn.Module):
    """The bidirectional (masked) LM, RoBERTa-shaped (fairseq-evo `roberta_transnormer_t1`/`t2`):
    learned positions, LayerNorm on the embedding, post-norm layers, LM head tied to the embedding."""

    def __init__(self, cfg: TransNormerConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.embed_tokens = nn.Embedding(cfg.vocab_size, cfg.dim, padding_idx=cfg.padding_idx)
        self.embed_positions = nn.Embedding(cfg.max_positions + cfg.padding_idx + 1, cfg.dim,
                                            padding_idx=cfg.padding_idx)
        self.layernorm_embedding = nn.LayerNorm(cfg.dim)
        self.dropout = nn.Dropout(cfg.dropout)
        self.layers = nn.ModuleList(TransNormerLayer(cfg, kind, pre_norm=False) for kind in cfg.mixer_kinds())
        self.lm_dense = nn.Linear(cfg.dim, cfg.dim)
        self.lm_layer_norm = nn.LayerNorm(cfg.dim)
        self.lm_bias = nn.Parameter(torch.zeros(cfg.vocab_size))
        for module in self.modules():  # RoBERTa's init_bert_params
            if isinstance(module, (nn.Linear, nn.Embedding)):
                nn.init.normal_(module.weight, std=0.02)
            if isinstance(module, nn.Linear) and module.bias is not None:
                nn.init.zeros_(module.bias)
        for emb in (self.embed_tokens, self.embed_positions):
            nn.init.zeros_(emb.weight[cfg.padding_idx])

    def features(self, tokens: torch.Tensor) -> torch.Tensor:
        padding_mask = tokens.eq(self.cfg.padding_idx)
        pos = torch.cumsum(~padding_mask, dim=1) * ~padding_mask + self.cfg.padding_idx
        x = self.layernorm_embedding(self.embed_tokens(tokens) + self.embed_positions(pos))
        x = self.dropout(x) * (~padding_mask).unsqueeze(-1).to(x.dtype)
        mask = padding_mask if padding_mask.any() else None
        for layer in self.layers:
            x = layer(x, mask)
        return x

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        x = self.lm_layer_norm(F.gelu(self.lm_dense(self.features(tokens))))
        return F.linear(x, self.embed_tokens.weight) + self.lm_bias


@dataclass
class LRAModelConfig:
    """OpenNLPLab/lra's `transnormer` model (configs/model/transnormer.yaml + the experiment files)."""

    dim: int = 128
    num_layers: int = 4  # pairs of (attention, feed-forward) blocks; the first half use DiagAttention
    num_heads: int = 8
    block_size: int = 64
    diag_softmax: bool = True
    kernel: Kernel = "1+elu"
    norm: Literal["layernorm", "batchnorm"] = "layernorm"
    expand_ratio_ffn: float = 1.0
    dropout: float = 0.0
    pooling: Literal["mean", "cls", "masked_mean", "last"] = "mean"
    mlp_dim: int = 128  # classifier head


class LRABlock(nn.Module):
    def __init__(self, dim: int, mixer: nn.Module, norm: str, dropout: float) -> None:
        super().__init__()
        self.norm = make_norm(norm, dim)
        self.mixer = mixer
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, padding_mask: torch.Tensor | None) -> torch.Tensor:
        y = self.norm(x)
        y = self.mixer(y, padding_mask) if isinstance(self.mixer, (DiagAttention, NormAttention)) else self.mixer(y)
        return x + self.dropout(y)


class LRAEncoder(nn.Module):
    """tokens (b, n), padding_mask (b, n) -> features (b, n, d) for shared.lra.SequenceClassifier."""

    def __init__(self, cfg: LRAModelConfig, vocab_size: int, max_length: int) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab_size, cfg.dim)
        self.register_buffer("positions", sinusoidal_table(max_length, cfg.dim, None), persistent=False)
        self.dropout = nn.Dropout(cfg.dropout)
        head_dim = cfg.dim // cfg.num_heads
        hidden = int(cfg.expand_ratio_ffn * cfg.dim)
        n_diag = cfg.num_layers // 2
        blocks = []
        for i in range(cfg.num_layers):
            positional = RelativePositionTransform(head_dim, householder=False, learned_theta=False)
            if i < n_diag:
                mixer = DiagAttention(cfg.dim, cfg.num_heads, cfg.block_size, False, cfg.diag_softmax, cfg.norm,
                                      positional, cfg.dropout)
            else:
                mixer = NormAttention(cfg.dim, cfg.num_heads, cfg.kernel, False, cfg.norm, positional)
            blocks += [LRABlock(cfg.dim, mixer, cfg.norm, cfg.dropout),
                       LRABlock(cfg.dim, FeedForward(cfg.dim, hidden), cfg.norm, cfg.dropout)]
        self.blocks = nn.ModuleList(blocks)
        self.final_norm = make_norm(cfg.norm, cfg.dim)

    def forward(self, tokens: torch.Tensor, padding_mask: torch.Tensor) -> torch.Tensor:
        n = tokens.shape[1]
        x = self.dropout(self.embed(tokens) + self.positions[:n])
        mask = padding_mask if padding_mask.any() else None
        for block in self.blocks:
            x = block(x, mask)
        return self.final_norm(x)


def count_parameters(model: nn.Module) -> int:
    """Parameters plus persistent buffers that the original stores as parameters (the Householder vectors)."""
    params = sum(p.numel() for p in model.parameters())
    householders = sum(b.numel() for name, b in model.named_buffers() if name.endswith("householder"))
    return params + householders
