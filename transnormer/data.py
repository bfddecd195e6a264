"""WikiText-103 in its official layout, read the way fairseq reads it for language modelling.

Official layout (wikitext-103-v1.zip, tokenised):
    <root>/wiki.train.tokens  wiki.valid.tokens  wiki.test.tokens   (one paragraph per line, blank lines
                                                                     and ' = Heading = ' lines included)
    <root>/dict.txt  (optional)  fairseq's dictionary: '<symbol> <count>' per line, most frequent first

Every line, blank ones included, becomes its whitespace tokens followed by </s>, and the splits are
one stream each (fairseq-preprocess --only-source, then --sample-break-mode none), cut into blocks by
shared.lm.LMBlocks as fairseq cuts them (the first token is predicted from </s>).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import torch

SPECIALS = ("<s>", "<pad>", "</s>", "<unk>")  # fairseq Dictionary: bos=0, pad=1, eos=2, unk=3
PAD, EOS, UNK = 1, 2, 3
SPLITS = ("train", "valid", "test")


class DataError(ValueError):
    """A missing or malformed data file, named with what was expected."""


def split_path(root: str | Path, split: str) -> Path:
    if split not in SPLITS:
        raise DataError(f"unknown split {split!r}; expected one of {', '.join(SPLITS)}")
    path = Path(root) / f"wiki.{split}.tokens"
    if not path.is_file():
        raise DataError(
            f"{path} does not exist; expected WikiText-103's wiki.{{train,valid,test}}.tokens in {root} "
            "(python -m transnormer.prepare)"
        )
    return path


class Dictionary:
    """fairseq's Dictionary: the four specials, then symbols by count; padded to a multiple of 8 with
    madeupwordNNNN symbols, as fairseq-preprocess does (--padding-factor 8)."""

    def __init__(self, symbols: list[str]) -> None:
        self.symbols = list(SPECIALS) + [s for s in symbols if s not in SPECIALS]
        self.index = {s: i for i, s in enumerate(self.symbols)}

    def __len__(self) -> int:
        return len(self.symbols)

    @classmethod
    def build(cls, paths: list[Path], padding_factor: int = 8) -> Dictionary:
        counts: Counter[str] = Counter()
        for path in paths:
            with path.open(encoding="utf-8") as f:
                for line in f:
                    counts.update(line.split())
        # by count, ties by symbol so that the order does not depend on the files' order
        symbols = [s for s, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
        d = cls(symbols)
        i = 0
        while len(d) % padding_factor:
            d.symbols.append(f"madeupword{i:04d}")
            d.index[d.symbols[-1]] = len(d.symbols) - 1
            i += 1
        return d

    @classmethod
    def load(cls, path: str | Path) -> Dictionary:
        path = Path(path)
        if not path.is_file():
            raise DataError(f"{path} does not exist; expected fairseq's dict.txt ('<symbol> <count>' per line)")
        symbols = []
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            parts = line.rstrip().rsplit(" ", 1)
            if len(parts) != 2 or not parts[1].lstrip("-").isdigit():
                raise DataError(f"{path}:{lineno}: expected '<symbol> <count>', got {line!r}")
            symbols.append(parts[0])
        return cls(symbols)

    def save(self, path: str | Path) -> None:
        Path(path).write_text("".join(f"{s} 1\n" for s in self.symbols[len(SPECIALS):]), encoding="utf-8")

    def encode_file(self, path: Path) -> torch.Tensor:
        ids: list[int] = []
        with path.open(encoding="utf-8") as f:
            for line in f:
                ids.extend(self.index.get(w, UNK) for w in line.split())
                ids.append(EOS)
        if not ids:
            raise DataError(f"{path} is empty; expected tokenised text, one paragraph per line")
        return torch.tensor(ids, dtype=torch.long)


def load_dictionary(root: str | Path) -> Dictionary:
    """dict.txt if the folder has one (fairseq's, so ids match a converted checkpoint), else built from train."""
    root = Path(root)
    if (root / "dict.txt").is_file():
        return Dictionary.load(root / "dict.txt")
    return Dictionary.build([split_path(root, "train")])


def load_split(root: str | Path, split: str, dictionary: Dictionary) -> torch.Tensor:
    """A split's token stream: every line's tokens then </s>."""
    return dictionary.encode_file(split_path(root, split))
