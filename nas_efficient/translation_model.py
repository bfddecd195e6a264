"""The weight-sharing encoder-decoder Transformer for translation (HAT/mixFormer `transformer_super.py`
with the attention type of every layer searched), plain PyTorch.

    src (b, s) -> E[src][:, :, :e_enc] · sqrt(e_enc) + sinusoid[:, :e_enc] -> M pre-LN encoder layers -> LN
    prev (b, t) -> E[prev][:, :, :e_dec] · sqrt(e_dec) + sinusoid[:, :e_dec] -> N pre-LN decoder layers -> LN
        decoder layer: x + SelfAttn(LN x) (causal),  x + CrossAttn(LN x, encoder outputs),  x + FFN(LN x)
    logits = features @ E[:, :e_dec]ᵀ                                                  (tied output projection)
One embedding matrix E is shared by source, target and output (`share-all-embeddings`). Every attention
is cosFormer or softmax, with one set of shared weights per type; the q/k/v width is fixed at
`qkv_dim` and the head width is qkv_dim / heads (HAT's `qkv_dim`). A decoder layer's cross-attention
reads the last encoder layer, or that concatenated with the one or two before it (HAT's arbitrary
encoder-decoder attention, `TranslationArch.decoder_cross_links`). Dropout scales with the sampled
width (`calc_dropout`: p · e_s / e).

cosFormer in this model (no reference code exists for it, see the README): padded source keys and
values are zeroed; positions in θ are divided by the padded source length of the batch for the
encoder, the decoder's self-attention and the cross-attention queries, so that a decoder prefix sees
the same θ in training and in step-by-step generation; cross-attention keys use their own length.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from nas_efficient.config import TranslationModelConfig
from nas_efficient.super_modules import SuperLayerNorm, SuperLinear, SuperSelfAttention
from nas_efficient.translation_arch import LINK_ENCODER_OUTPUTS, TranslationArch, TranslationSearchSpace


def sinusoidal_table(num_positions: int, dim: int, padding_idx: int) -> torch.Tensor:
    """fairseq's SinusoidalPositionalEmbedding table: [sin | cos] halves, the padding row zero."""
    half = dim // 2
    freq = torch.exp(torch.arange(half, dtype=torch.float) * -(math.log(10000) / (half - 1)))
    angles = torch.arange(num_positions, dtype=torch.float)[:, None] * freq[None]
    table = torch.cat([torch.sin(angles), torch.cos(angles)], dim=1)
    if dim % 2:
        table = torch.cat([table, torch.zeros(num_positions, 1)], dim=1)
    table[padding_idx] = 0
    return table  # num_positions, dim


class TokenEmbedding(nn.Module):
    """Shared token embeddings (scaled by sqrt of the sampled width) + sinusoidal positions, both sliced."""

    def __init__(self, vocab_size: int, embed_dim: int, padding_idx: int, max_positions: int) -> None:
        super().__init__()
        self.padding_idx = padding_idx
        self.weight = nn.Parameter(torch.empty(vocab_size, embed_dim))
        nn.init.normal_(self.weight, 0.0, embed_dim ** -0.5)
        with torch.no_grad():
            self.weight[padding_idx].zero_()
        self.register_buffer("positions", sinusoidal_table(max_positions + padding_idx + 1, embed_dim, padding_idx),
                             persistent=False)

    def forward(self, tokens: torch.Tensor, dim: int) -> torch.Tensor:
        """tokens (b, n) -> (b, n, dim). Positions count non-pad tokens from padding_idx + 1 (fairseq)."""
        mask = tokens.ne(self.padding_idx).long()
        positions = torch.cumsum(mask, dim=1) * mask + self.padding_idx
        if positions.max() >= len(self.positions):
            raise ValueError(f"sequence of {tokens.shape[1]} tokens exceeds max_positions {len(self.positions)}")
        x = F.embedding(tokens, self.weight[:, :dim], self.padding_idx)
        return math.sqrt(dim) * x + self.positions[positions, :dim]


class TranslationEncoderLayer(nn.Module):
    def __init__(self, embed_dim: int, ffn_dim: int, cfg: TranslationModelConfig, kinds: list[str]) -> None:
        super().__init__()
        self.attention = nn.ModuleDict({k: SuperSelfAttention(embed_dim, cfg.qkv_dim, k, dropout=cfg.attention_dropout)
                                        for k in kinds})
        self.attention_norm = SuperLayerNorm(embed_dim)
        self.fc1 = SuperLinear(embed_dim, ffn_dim)
        self.fc2 = SuperLinear(ffn_dim, embed_dim)
        self.ffn_norm = SuperLayerNorm(embed_dim)
        self.qkv_dim = cfg.qkv_dim

    def forward(self, x: torch.Tensor, pad: torch.Tensor | None, ffn_dim: int, heads: int, kind: str,
                dropout: float, activation_dropout: float) -> torch.Tensor:
        h = self.attention[kind](self.attention_norm(x), heads, self.qkv_dim // heads, key_padding_mask=pad)
        x = x + F.dropout(h, dropout, self.training)
        h = F.dropout(F.relu(self.fc1(self.ffn_norm(x), ffn_dim)), activation_dropout, self.training)
        return x + F.dropout(self.fc2(h, x.shape[-1]), dropout, self.training)


class TranslationDecoderLayer(nn.Module):
    def __init__(self, embed_dim: int, ffn_dim: int, cfg: TranslationModelConfig, kinds: list[str]) -> None:
        super().__init__()
        self.self_attention = nn.ModuleDict({
            k: SuperSelfAttention(embed_dim, cfg.qkv_dim, k, causal=True, dropout=cfg.attention_dropout) for k in kinds})
        self.self_attention_norm = SuperLayerNorm(embed_dim)
        self.cross_attention = nn.ModuleDict({
            k: SuperSelfAttention(embed_dim, cfg.qkv_dim, k, dropout=cfg.attention_dropout) for k in kinds})
        self.cross_attention_norm = SuperLayerNorm(embed_dim)
        self.fc1 = SuperLinear(embed_dim, ffn_dim)
        self.fc2 = SuperLinear(ffn_dim, embed_dim)
        self.ffn_norm = SuperLayerNorm(embed_dim)
        self.qkv_dim = cfg.qkv_dim

    def forward(self, x: torch.Tensor, memory: torch.Tensor, memory_pad: torch.Tensor | None, source_length: int,
                ffn_dim: int, heads: int, cross_heads: int, kind: str, dropout: float,
                activation_dropout: float) -> torch.Tensor:
        h = self.self_attention[kind](self.self_attention_norm(x), heads, self.qkv_dim // heads, length=source_length)
        x = x + F.dropout(h, dropout, self.training)
        h = self.cross_attention[kind](self.cross_attention_norm(x), cross_heads, self.qkv_dim // cross_heads,
                                       memory=memory, key_padding_mask=memory_pad, length=source_length,
                                       key_length=memory.shape[1])
        x = x + F.dropout(h, dropout, self.training)
        h = F.dropout(F.relu(self.fc1(self.ffn_norm(x), ffn_dim)), activation_dropout, self.training)
        return x + F.dropout(self.fc2(h, x.shape[-1]), dropout, self.training)


@dataclass
class EncoderOutput:
    final: torch.Tensor  # b, s, e_enc: the last layer after the final LayerNorm
    layers: list[torch.Tensor]  # every sampled layer's output (before the final LayerNorm), as HAT's encoder_out_all
    padding_mask: torch.Tensor | None  # b, s; True at pads (None when there are none)


class TranslationSupernet(nn.Module):
    """`forward(src_tokens, prev_output_tokens, arch)` -> logits (b, t, vocab) of sub-network `arch`."""

    def __init__(self, vocab_size: int, padding_idx: int, space: TranslationSearchSpace,
                 cfg: TranslationModelConfig) -> None:
        super().__init__()
        self.space, self.cfg, self.padding_idx = space, cfg, padding_idx
        self.embed_dim = max(space.encoder_embed_dims + space.decoder_embed_dims)
        for heads in space.encoder_heads + space.decoder_heads + space.decoder_cross_heads:
            if cfg.qkv_dim % heads:
                raise ValueError(f"qkv_dim {cfg.qkv_dim} is not divisible by {heads} heads")
        self.embed = TokenEmbedding(vocab_size, self.embed_dim, padding_idx, cfg.max_positions)
        self.encoder_layers = nn.ModuleList(
            TranslationEncoderLayer(self.embed_dim, max(space.encoder_ffn_dims), cfg, space.attention)
            for _ in range(space.max_encoder_layers))
        self.encoder_norm = SuperLayerNorm(self.embed_dim)
        self.decoder_layers = nn.ModuleList(
            TranslationDecoderLayer(self.embed_dim, max(space.decoder_ffn_dims), cfg, space.attention)
            for _ in range(space.max_decoder_layers))
        self.decoder_norm = SuperLayerNorm(self.embed_dim)

    def _dropouts(self, dim: int) -> tuple[float, float]:
        scale = dim / self.embed_dim
        return self.cfg.dropout * scale, self.cfg.activation_dropout * scale

    def check(self, arch: TranslationArch) -> None:
        if (arch.encoder_layers > len(self.encoder_layers) or arch.decoder_layers > len(self.decoder_layers)
                or max(arch.encoder_embed_dim, arch.decoder_embed_dim) > self.embed_dim
                or max(arch.encoder_ffn_dims) > self.encoder_layers[0].fc1.out_features
                or max(arch.decoder_ffn_dims) > self.decoder_layers[0].fc1.out_features
                or any(self.cfg.qkv_dim % h for h in arch.encoder_heads + arch.decoder_heads + arch.decoder_cross_heads)):
            raise ValueError(f"architecture {arch} does not fit in the supernet")

    def encode(self, src_tokens: torch.Tensor, arch: TranslationArch) -> EncoderOutput:
        e = arch.encoder_embed_dim
        dropout, activation_dropout = self._dropouts(e)
        pad = src_tokens.eq(self.padding_idx)
        pad = pad if pad.any() else None
        x = F.dropout(self.embed(src_tokens, e), dropout, self.training)  # b, s, e
        layers = []
        for i in range(arch.encoder_layers):
            x = self.encoder_layers[i](x, pad, arch.encoder_ffn_dims[i], arch.encoder_heads[i],
                                       arch.encoder_attention[i], dropout, activation_dropout)
            layers.append(x)
        return EncoderOutput(self.encoder_norm(x), layers, pad)

    def decode(self, prev_output_tokens: torch.Tensor, encoder_out: EncoderOutput,
               arch: TranslationArch) -> torch.Tensor:
        """Features of every target position (b, t, e_dec), before the output projection."""
        e = arch.decoder_embed_dim
        dropout, activation_dropout = self._dropouts(e)
        source_length = encoder_out.final.shape[1]
        x = F.dropout(self.embed(prev_output_tokens, e), dropout, self.training)  # b, t, e
        for i in range(arch.decoder_layers):
            blocks = LINK_ENCODER_OUTPUTS[arch.decoder_cross_links[i]]
            memory = torch.cat([encoder_out.final] + encoder_out.layers[-blocks:-1][::-1], dim=1)  # b, blocks·s, e_enc
            pad = None if encoder_out.padding_mask is None else encoder_out.padding_mask.repeat(1, blocks)
            x = self.decoder_layers[i](x, memory, pad, source_length, arch.decoder_ffn_dims[i], arch.decoder_heads[i],
                                       arch.decoder_cross_heads[i], arch.decoder_attention[i], dropout,
                                       activation_dropout)
        return self.decoder_norm(x)

    def output_layer(self, features: torch.Tensor) -> torch.Tensor:
        return F.linear(features, self.embed.weight[:, : features.shape[-1]])  # tied: b, t, vocab

    def forward(self, src_tokens: torch.Tensor, prev_output_tokens: torch.Tensor,
                arch: TranslationArch) -> torch.Tensor:
        self.check(arch)
        return self.output_layer(self.decode(prev_output_tokens, self.encode(src_tokens, arch), arch))


def count_parameters(model: TranslationSupernet, arch: TranslationArch, vocab_size: int) -> int:
    """Parameters a sub-network reads (HAT's `get_sampled_params_numel`, embeddings counted once)."""
    q = model.cfg.qkv_dim

    def attention(e_q: int, e_kv: int) -> int:
        return q * e_q + 2 * q * e_kv + 3 * q + q * e_q + e_q

    def ffn(e: int, f: int) -> int:
        return e * f + f + f * e + e

    e, d = arch.encoder_embed_dim, arch.decoder_embed_dim
    total = vocab_size * max(e, d)
    total += sum(attention(e, e) + ffn(e, f) + 4 * e for f in arch.encoder_ffn_dims) + 2 * e
    total += sum(attention(d, d) + attention(d, e) + ffn(d, f) + 6 * d for f in arch.decoder_ffn_dims) + 2 * d
    return total
