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

import torch
import torch.nn.functional as F
from torch import nn

from transnormer.attention import DiagAttention, NormAttention
from transnormer.config import LMExperiment, LRAModelConfig, TransNormerConfig
from transnormer.layers import GLU, FeedForward, RelativePositionTransform, make_norm, sinusoidal_table


def build_mixer(cfg: TransNormerConfig, kind: str) -> nn.Module:
    head_dim = cfg.embed_dim // cfg.num_heads
    positional = RelativePositionTransform(head_dim) if cfg.positional else None
    if kind == "diag":
        return DiagAttention(cfg.embed_dim, cfg.num_heads, cfg.block_size, cfg.causal, cfg.diag_softmax,
                             cfg.attention_norm, positional, cfg.attention_dropout)
    return NormAttention(cfg.embed_dim, cfg.num_heads, cfg.kernel, cfg.causal, cfg.attention_norm, positional,
                         cfg.chunk_size, cfg.scaling)


class TransNormerLayer(nn.Module):
    """A token mixer and a GLU channel mixer, each in a residual branch with a norm before (pre_norm)
    or after the residual sum (post-norm, the RoBERTa layout)."""

    def __init__(self, cfg: TransNormerConfig, kind: str, pre_norm: bool = True) -> None:
        super().__init__()
        self.kind = kind
        self.pre_norm = pre_norm
        self.self_attn = build_mixer(cfg, kind)
        self.self_attn_layer_norm = make_norm(cfg.layer_norm, cfg.embed_dim)
        hidden = cfg.glu_hidden if cfg.glu_hidden > 0 else int(8 / 3 * cfg.embed_dim)
        self.glu = GLU(cfg.embed_dim, hidden, cfg.glu_act)
        self.final_layer_norm = make_norm(cfg.layer_norm, cfg.embed_dim)
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
        self.embed_tokens = nn.Embedding(cfg.vocab_size, cfg.embed_dim, padding_idx=cfg.padding_idx)
        nn.init.normal_(self.embed_tokens.weight, std=cfg.embed_dim**-0.5)  # fairseq's Embedding init
        nn.init.zeros_(self.embed_tokens.weight[cfg.padding_idx])
        self.embed_scale = math.sqrt(cfg.embed_dim)
        # fairseq positions start after the padding index
        table = sinusoidal_table(cfg.max_positions + cfg.padding_idx + 1, cfg.embed_dim, cfg.padding_idx)
        self.register_buffer("positions", table, persistent=False)
        self.dropout = nn.Dropout(cfg.dropout)
        self.layers = nn.ModuleList(TransNormerLayer(cfg, kind) for kind in cfg.mixer_kinds())
        self.layer_norm = make_norm(cfg.layer_norm, cfg.embed_dim)
        self.output_projection = nn.Linear(cfg.embed_dim, cfg.vocab_size, bias=False)
        if cfg.tie_embeddings:
            self.output_projection.weight = self.embed_tokens.weight
        else:
            nn.init.normal_(self.output_projection.weight, std=cfg.embed_dim**-0.5)

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
        self.embed_tokens = nn.Embedding(cfg.vocab_size, cfg.embed_dim, padding_idx=cfg.padding_idx)
        self.embed_positions = nn.Embedding(cfg.max_positions + cfg.padding_idx + 1, cfg.embed_dim,
                                            padding_idx=cfg.padding_idx)
        self.layernorm_embedding = nn.LayerNorm(cfg.embed_dim)
        self.dropout = nn.Dropout(cfg.dropout)
        self.layers = nn.ModuleList(TransNormerLayer(cfg, kind, pre_norm=False) for kind in cfg.mixer_kinds())
        self.lm_dense = nn.Linear(cfg.embed_dim, cfg.embed_dim)
        self.lm_layer_norm = nn.LayerNorm(cfg.embed_dim)
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
        x = self.dropout(x) * (~padding_mask).unsqueeze(-1).to(x.dtype)  # as fairseq's encoder: padding enters as 0
        # the original hands its layers a padding mask that its attentions ignore (the recipe's default here)
        mask = padding_mask if self.cfg.mask_padding_in_layers else None
        for layer in self.layers:
            x = layer(x, mask)
        return x

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        x = self.lm_layer_norm(F.gelu(self.lm_dense(self.features(tokens))))
        return F.linear(x, self.embed_tokens.weight) + self.lm_bias


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
        self.embed = nn.Embedding(vocab_size, cfg.embed_dim)
        self.register_buffer("positions", sinusoidal_table(max_length, cfg.embed_dim, None), persistent=False)
        self.dropout = nn.Dropout(cfg.dropout)
        head_dim = cfg.embed_dim // cfg.num_heads
        hidden = int(cfg.expand_ratio_ffn * cfg.embed_dim)
        n_diag = cfg.num_layers // 2
        blocks = []
        for i in range(cfg.num_layers):
            positional = RelativePositionTransform(head_dim, householder=False, learned_theta=False)
            if i < n_diag:
                mixer = DiagAttention(cfg.embed_dim, cfg.num_heads, cfg.block_size, False, cfg.diag_softmax, cfg.norm,
                                      positional, cfg.dropout)
            else:
                mixer = NormAttention(cfg.embed_dim, cfg.num_heads, cfg.kernel, False, cfg.norm, positional)
            blocks += [LRABlock(cfg.embed_dim, mixer, cfg.norm, cfg.dropout),
                       LRABlock(cfg.embed_dim, FeedForward(cfg.embed_dim, hidden), cfg.norm, cfg.dropout)]
        self.blocks = nn.ModuleList(blocks)
        self.final_norm = make_norm(cfg.norm, cfg.embed_dim)

    def forward(self, tokens: torch.Tensor, padding_mask: torch.Tensor) -> torch.Tensor:
        n = tokens.shape[1]
        x = self.dropout(self.embed(tokens) + self.positions[:n])
        for block in self.blocks:
            x = block(x, padding_mask)
        return self.final_norm(x)


def count_parameters(model: nn.Module) -> int:
    """Parameters plus persistent buffers that the original stores as parameters (the Householder vectors)."""
    params = sum(p.numel() for p in model.parameters())
    householders = sum(b.numel() for name, b in model.named_buffers() if name.endswith("householder"))
    return params + householders


def build_model(cfg) -> nn.Module:
    """The architecture of an experiment config (no weights loaded): the autoregressive or bidirectional LM of
    an `LMExperiment`, or the LRA classifier of a `TransNormerLRAConfig`."""
    if isinstance(cfg, LMExperiment):
        return TransNormerLM(cfg.model) if cfg.task == "alm" else TransNormerBidirectional(cfg.model)
    if isinstance(getattr(cfg, "model", None), LRAModelConfig):
        from transnormer.lra import build_lra_classifier

        return build_lra_classifier(cfg.data.task, cfg.model, cfg.data.max_length or _task_length(cfg.data.task))
    raise TypeError(f"build_model: no TransNormer model for a {type(cfg).__name__} config")


def _task_length(task: str) -> int:
    from shared.lra.tasks import get_task

    return get_task(task).seq_len
