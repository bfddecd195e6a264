"""Sub-network descriptions.

A sub-network (`Arch`) fixes the embedding width, the depth, and for each layer its FFN width, its
number of heads and its attention type; the search space it is drawn from (`config.SearchSpace`) lists
the choices for each. Genes follow mixFormer's `Converter.config2gene`: [embed, layers, ffn x L,
heads x L, attention x L] with the unused layers' slots filled with layer 0's value.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
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
