"""Sub-network descriptions and the search space they are drawn from.

A sub-network (`Arch`) fixes the embedding width, the depth, and for each layer its FFN width, its
number of heads and its attention type; the search space lists the choices for each (mixFormer's
`*-choice` options). Genes follow mixFormer's `Converter.config2gene`: [embed, layers, ffn x L,
heads x L, attention x L] with the unused layers' slots filled with layer 0's value.
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass, field
from pathlib import Path

ATTENTION_KINDS = ("cosformer", "softmax")
# mixFormer's `attn_cal` codes; 3 (relative-position softmax) is not part of this reproduction
ATTENTION_CODES = {"cosformer": 1, "softmax": 2}


class JsonFile:
    """JSON (de)serialisation of an architecture dataclass: the file `train --set arch_file=...` reads."""

    def to_json(self) -> str:
        return json.dumps(asdict(self))  # type: ignore[call-overload]

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(self.to_json() + "\n")
        return path


@dataclass
class Arch(JsonFile):
    embed_dim: int
    ffn_dims: list[int]
    heads: list[int]
    attention: list[str]

    @property
    def num_layers(self) -> int:
        return len(self.ffn_dims)

    def __post_init__(self) -> None:
        if not (len(self.ffn_dims) == len(self.heads) == len(self.attention)) or not self.ffn_dims:
            raise ValueError(f"ffn_dims, heads and attention need one entry per layer, got {self}")
        unknown = set(self.attention) - set(ATTENTION_KINDS)
        if unknown:
            raise ValueError(f"unknown attention type(s) {sorted(unknown)}; expected one of {ATTENTION_KINDS}")

    def features(self) -> list[float]:
        """mixFormer's `get_config_features`: embed, layers, mean FFN, mean heads, mean attention code."""
        n = self.num_layers
        return [float(self.embed_dim), float(n), sum(self.ffn_dims) / n, sum(self.heads) / n,
                sum(ATTENTION_CODES[a] for a in self.attention) / n]

    @classmethod
    def load(cls, path: str | Path) -> Arch:
        path = Path(path)
        try:
            data = json.loads(path.read_text())
            return cls(int(data["embed_dim"]), [int(v) for v in data["ffn_dims"]], [int(v) for v in data["heads"]],
                       [str(v) for v in data["attention"]])
        except (KeyError, TypeError, json.JSONDecodeError) as err:
            raise ValueError(f"{path}: not an architecture file (expected JSON with embed_dim, ffn_dims, heads, "
                             f"attention): {err}") from err


@dataclass
class SearchSpace:
    embed_dims: list[int] = field(default_factory=lambda: [320, 384, 448])
    layer_nums: list[int] = field(default_factory=lambda: [12, 13, 14])
    ffn_dims: list[int] = field(default_factory=lambda: [1792, 1568, 1344, 896, 672])
    heads: list[int] = field(default_factory=lambda: [5, 6, 7])
    attention: list[str] = field(default_factory=lambda: ["cosformer", "softmax"])

    @property
    def max_layers(self) -> int:
        return max(self.layer_nums)

    def largest(self, attention: str = "softmax") -> Arch:
        n = self.max_layers
        return Arch(max(self.embed_dims), [max(self.ffn_dims)] * n, [max(self.heads)] * n, [attention] * n)

    def smallest(self, attention: str = "cosformer") -> Arch:
        n = min(self.layer_nums)
        return Arch(min(self.embed_dims), [min(self.ffn_dims)] * n, [min(self.heads)] * n, [attention] * n)

    def sample(self, rng: random.Random) -> Arch:
        n = rng.choice(self.layer_nums)
        return Arch(rng.choice(self.embed_dims), [rng.choice(self.ffn_dims) for _ in range(n)],
                    [rng.choice(self.heads) for _ in range(n)], [rng.choice(self.attention) for _ in range(n)])

    def contains(self, arch: Arch) -> bool:
        return (arch.embed_dim in self.embed_dims and arch.num_layers in self.layer_nums
                and set(arch.ffn_dims) <= set(self.ffn_dims) and set(arch.heads) <= set(self.heads)
                and set(arch.attention) <= set(self.attention))

    # genes, as mixFormer's evolution encodes architectures
    def gene_choices(self) -> list[list]:
        n = self.max_layers
        return ([self.embed_dims, self.layer_nums] + [self.ffn_dims] * n + [self.heads] * n
                + [self.attention] * n)

    def to_gene(self, arch: Arch) -> list:
        n, used = self.max_layers, arch.num_layers

        def fill(values: list) -> list:
            return [values[i] if i < used else values[0] for i in range(n)]

        return [arch.embed_dim, used] + fill(arch.ffn_dims) + fill(arch.heads) + fill(arch.attention)

    def from_gene(self, gene: list) -> Arch:
        n = self.max_layers
        used = gene[1]
        ffn, heads, attention = gene[2:2 + n], gene[2 + n:2 + 2 * n], gene[2 + 2 * n:2 + 3 * n]
        return Arch(gene[0], list(ffn[:used]), list(heads[:used]), list(attention[:used]))
