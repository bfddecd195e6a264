"""Encoder-decoder sub-networks and their search space (HAT/mixFormer's translation space plus the
attention type of every layer).

Genes follow HAT's `Converter.config2gene` for translation: [enc embed, enc layers, enc FFN x M,
enc heads x M, dec embed, dec layers, dec FFN x N, dec heads x N, cross heads x N, cross link x N],
followed by the attention types (enc x M, dec x N); unused layers' slots hold layer 0's value.
`TranslationSearchSpace` offers the interface `evolution.evolve` uses (sample, gene_choices,
to_gene, from_gene) and `TranslationArch` the one the cost predictor uses (features, to_json).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path

from nas_efficient.arch import ATTENTION_CODES, ATTENTION_KINDS, JsonFile

# HAT's `decoder-arbitrary-ende-attn-choice`: the keys of a decoder layer's cross-attention are the
# last encoder layer (-1), or it concatenated with the last but one (1), or with the last two (2)
LINK_ENCODER_OUTPUTS = {-1: 1, 1: 2, 2: 3}


@dataclass
class TranslationArch(JsonFile):
    encoder_embed_dim: int
    decoder_embed_dim: int
    encoder_ffn_dims: list[int]
    encoder_heads: list[int]
    encoder_attention: list[str]
    decoder_ffn_dims: list[int]
    decoder_heads: list[int]  # self-attention
    decoder_cross_heads: list[int]
    decoder_cross_links: list[int]  # HAT's arbitrary encoder-decoder attention, one of LINK_ENCODER_OUTPUTS
    decoder_attention: list[str]  # the type of both the self- and the cross-attention of the layer

    @property
    def encoder_layers(self) -> int:
        return len(self.encoder_ffn_dims)

    @property
    def decoder_layers(self) -> int:
        return len(self.decoder_ffn_dims)

    def __post_init__(self) -> None:
        enc = (self.encoder_ffn_dims, self.encoder_heads, self.encoder_attention)
        dec = (self.decoder_ffn_dims, self.decoder_heads, self.decoder_cross_heads, self.decoder_cross_links,
               self.decoder_attention)
        if len({len(v) for v in enc}) != 1 or not enc[0] or len({len(v) for v in dec}) != 1 or not dec[0]:
            raise ValueError(f"every per-layer list needs one entry per encoder/decoder layer, got {self}")
        unknown = set(self.encoder_attention + self.decoder_attention) - set(ATTENTION_KINDS)
        if unknown:
            raise ValueError(f"unknown attention type(s) {sorted(unknown)}; expected one of {ATTENTION_KINDS}")
        for link in self.decoder_cross_links:
            if link not in LINK_ENCODER_OUTPUTS or LINK_ENCODER_OUTPUTS[link] > self.encoder_layers:
                raise ValueError(f"cross link {link} needs one of {sorted(LINK_ENCODER_OUTPUTS)} and at most "
                                 f"{self.encoder_layers} encoder layers")

    def features(self) -> list[float]:
        """HAT's `get_config_features` for translation, plus the mean attention code of each side."""
        m, n = self.encoder_layers, self.decoder_layers

        def mean(v: list) -> float:
            return sum(v) / len(v)

        return [float(self.encoder_embed_dim), float(m), mean(self.encoder_ffn_dims), mean(self.encoder_heads),
                float(self.decoder_embed_dim), float(n), mean(self.decoder_ffn_dims), mean(self.decoder_heads),
                mean(self.decoder_cross_heads), mean(self.decoder_cross_links),
                mean([ATTENTION_CODES[a] for a in self.encoder_attention]),
                mean([ATTENTION_CODES[a] for a in self.decoder_attention])]

    @classmethod
    def load(cls, path: str | Path) -> TranslationArch:
        path = Path(path)
        try:
            data = json.loads(path.read_text())
            ints = ("encoder_ffn_dims", "encoder_heads", "decoder_ffn_dims", "decoder_heads", "decoder_cross_heads",
                    "decoder_cross_links")
            return cls(encoder_embed_dim=int(data["encoder_embed_dim"]), decoder_embed_dim=int(data["decoder_embed_dim"]),
                       encoder_attention=[str(v) for v in data["encoder_attention"]],
                       decoder_attention=[str(v) for v in data["decoder_attention"]],
                       **{k: [int(v) for v in data[k]] for k in ints})
        except (KeyError, TypeError, json.JSONDecodeError) as err:
            raise ValueError(f"{path}: not a translation architecture file (expected JSON with the fields of "
                             f"TranslationArch): {err}") from err


@dataclass
class TranslationSearchSpace:
    """Defaults: mixFormer `configs/wmt14.en-de/supertransformer/large.yml` (HAT's space) + attention type."""

    encoder_embed_dims: list[int] = field(default_factory=lambda: [1024, 768, 640])
    decoder_embed_dims: list[int] = field(default_factory=lambda: [1024, 768, 640])
    encoder_ffn_dims: list[int] = field(default_factory=lambda: [5120, 4096, 3072, 2048])
    decoder_ffn_dims: list[int] = field(default_factory=lambda: [5120, 4096, 3072, 2048])
    encoder_layer_nums: list[int] = field(default_factory=lambda: [6])
    decoder_layer_nums: list[int] = field(default_factory=lambda: [6, 5, 4, 3, 2, 1])
    encoder_heads: list[int] = field(default_factory=lambda: [16, 8, 4])
    decoder_heads: list[int] = field(default_factory=lambda: [16, 8, 4])
    decoder_cross_heads: list[int] = field(default_factory=lambda: [16, 8, 4])
    decoder_cross_links: list[int] = field(default_factory=lambda: [-1, 1, 2])
    attention: list[str] = field(default_factory=lambda: ["cosformer", "softmax"])

    def __post_init__(self) -> None:
        need = max(LINK_ENCODER_OUTPUTS[link] for link in self.decoder_cross_links)
        if min(self.encoder_layer_nums) < need:
            raise ValueError(f"cross links {self.decoder_cross_links} need {need} encoder layers, "
                             f"but encoder_layer_nums allows {min(self.encoder_layer_nums)}")

    @property
    def max_encoder_layers(self) -> int:
        return max(self.encoder_layer_nums)

    @property
    def max_decoder_layers(self) -> int:
        return max(self.decoder_layer_nums)

    def largest(self, attention: str = "softmax") -> TranslationArch:
        m, n = self.max_encoder_layers, self.max_decoder_layers
        return TranslationArch(max(self.encoder_embed_dims), max(self.decoder_embed_dims),
                               [max(self.encoder_ffn_dims)] * m, [max(self.encoder_heads)] * m, [attention] * m,
                               [max(self.decoder_ffn_dims)] * n, [max(self.decoder_heads)] * n,
                               [max(self.decoder_cross_heads)] * n, [-1] * n, [attention] * n)

    def sample(self, rng: random.Random) -> TranslationArch:
        return self.from_gene([rng.choice(c) for c in self.gene_choices()])

    def contains(self, arch: TranslationArch) -> bool:
        return (arch.encoder_embed_dim in self.encoder_embed_dims and arch.decoder_embed_dim in self.decoder_embed_dims
                and arch.encoder_layers in self.encoder_layer_nums and arch.decoder_layers in self.decoder_layer_nums
                and set(arch.encoder_ffn_dims) <= set(self.encoder_ffn_dims)
                and set(arch.decoder_ffn_dims) <= set(self.decoder_ffn_dims)
                and set(arch.encoder_heads) <= set(self.encoder_heads)
                and set(arch.decoder_heads) <= set(self.decoder_heads)
                and set(arch.decoder_cross_heads) <= set(self.decoder_cross_heads)
                and set(arch.decoder_cross_links) <= set(self.decoder_cross_links)
                and set(arch.encoder_attention + arch.decoder_attention) <= set(self.attention))

    def gene_choices(self) -> list[list]:
        m, n = self.max_encoder_layers, self.max_decoder_layers
        return ([self.encoder_embed_dims, self.encoder_layer_nums] + [self.encoder_ffn_dims] * m
                + [self.encoder_heads] * m + [self.decoder_embed_dims, self.decoder_layer_nums]
                + [self.decoder_ffn_dims] * n + [self.decoder_heads] * n + [self.decoder_cross_heads] * n
                + [self.decoder_cross_links] * n + [self.attention] * (m + n))

    def to_gene(self, arch: TranslationArch) -> list:
        m, n = self.max_encoder_layers, self.max_decoder_layers

        def fill(values: list, size: int) -> list:
            return [values[i] if i < len(values) else values[0] for i in range(size)]

        a = arch
        return ([a.encoder_embed_dim, a.encoder_layers] + fill(a.encoder_ffn_dims, m) + fill(a.encoder_heads, m)
                + [a.decoder_embed_dim, a.decoder_layers] + fill(a.decoder_ffn_dims, n) + fill(a.decoder_heads, n)
                + fill(a.decoder_cross_heads, n) + fill(a.decoder_cross_links, n)
                + fill(a.encoder_attention, m) + fill(a.decoder_attention, n))

    def from_gene(self, gene: list) -> TranslationArch:
        m, n = self.max_encoder_layers, self.max_decoder_layers
        it = iter(gene)

        def take(k: int) -> list:
            return [next(it) for _ in range(k)]

        enc_embed, enc_layers = take(2)
        enc_ffn, enc_heads = take(m)[:enc_layers], take(m)[:enc_layers]
        dec_embed, dec_layers = take(2)
        dec_ffn, dec_heads, cross_heads, links = (take(n)[:dec_layers] for _ in range(4))
        enc_attention, dec_attention = take(m)[:enc_layers], take(n)[:dec_layers]
        return TranslationArch(enc_embed, dec_embed, enc_ffn, enc_heads, enc_attention, dec_ffn, dec_heads,
                               cross_heads, links, dec_attention)


def tiny_space() -> TranslationSearchSpace:
    """A toy space of the same structure, for CPU smoke runs and tests."""
    return TranslationSearchSpace([48, 32], [48, 32], [96, 64], [96, 64], [2], [2, 1], [4, 2], [4, 2], [4, 2],
                                  [-1, 1])


def standalone_space(arch: TranslationArch) -> TranslationSearchSpace:
    """The smallest space holding `arch`: its supernet is `arch` with every layer at the arch's widest
    FFN (for retraining a searched architecture from scratch; the extra FFN rows are never read)."""
    a = arch
    return TranslationSearchSpace(
        [a.encoder_embed_dim], [a.decoder_embed_dim], [max(a.encoder_ffn_dims)], [max(a.decoder_ffn_dims)],
        [a.encoder_layers], [a.decoder_layers], sorted(set(a.encoder_heads)), sorted(set(a.decoder_heads)),
        sorted(set(a.decoder_cross_heads)), sorted(set(a.decoder_cross_links)),
        sorted(set(a.encoder_attention + a.decoder_attention)))
