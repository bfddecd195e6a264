"""ListOps reader: `<data_dir>/<task>_{train,val,test}.tsv` as written by LRA's generator.

Facts from lra_benchmarks/listops/input_pipeline.py and lra_benchmarks/data/listops.py:
- each file has the header `Source<TAB>Target`; one expression and its value (0..9) per row;
  the generator writes it with Python's csv writer (tab-delimited, `\\r\\n` line ends);
- the release's task name is `basic` (lra_release/listops-1000/basic_{train,val,test}.tsv), splits
  96,000 / 2,000 / 2,000;
- tokens: parentheses removed, `]` renamed `X`, whitespace split (see vocab.py); sequences are cut
  to their first 2,000 tokens and padded with 0 to exactly 2,000; 10 classes.
"""

from __future__ import annotations

from pathlib import Path

import torch

from shared.lra.errors import parse_label, require_dir, require_file
from shared.lra.vocab import LISTOPS_CLOSE, encode_listops, listops_tokens

HEADER = ["Source", "Target"]
SPLITS = ("train", "val", "test")
NUM_CLASSES = 10


def listops_path(data_dir: str | Path, split: str, task: str = "basic") -> Path:
    return Path(data_dir) / f"{task}_{split}.tsv"


def read_listops_tsv(path: str | Path) -> list[tuple[str, int]]:
    """(source, label) rows of one ListOps TSV; a malformed or truncated row raises ValueError naming file:line."""
    path = require_file(Path(path), "ListOps TSV")
    lines = path.read_text(encoding="utf-8").splitlines()  # also drops the csv writer's \r
    if not lines or lines[0].split("\t") != HEADER:
        found = lines[0][:40] if lines else "an empty file"
        raise ValueError(f"{path}:1: expected the header 'Source<TAB>Target', found {found!r}")
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        fields = line.split("\t")
        where = f"{path}:{number}"
        if len(fields) != 2:
            raise ValueError(f"{where}: expected 2 tab-separated columns (Source, Target), found {len(fields)} (truncated row?)")
        source, target = fields
        label = parse_label(target.strip(), NUM_CLASSES, where)
        tokens = listops_tokens(source)
        opens = sum(tok.startswith("[") for tok in tokens)
        closes = sum(tok == LISTOPS_CLOSE for tok in tokens)
        if opens != closes or source.count("(") != source.count(")"):
            raise ValueError(f"{where}: unbalanced expression ({opens} operators, {closes} closing brackets); truncated row?")
        rows.append((source, label))
    return rows


class ListOpsDataset(torch.utils.data.Dataset):
    """One split of ListOps; items are {"ids": long (len,), "label": long ()}, truncated to `max_length`."""

    def __init__(self, data_dir: str | Path, split: str, max_length: int = 2000, task: str = "basic") -> None:
        if split not in SPLITS:
            raise ValueError(f"ListOps split {split!r}: expected one of {SPLITS}")
        require_dir(Path(data_dir), "ListOps data (e.g. lra_release/listops-1000)")
        rows = read_listops_tsv(listops_path(data_dir, split, task))
        # uint8 keeps the 96k x 2k-token train split small in memory
        self.ids = [torch.tensor(encode_listops(src)[:max_length], dtype=torch.uint8) for src, _ in rows]
        self.labels = torch.tensor([label for _, label in rows], dtype=torch.long)

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        return {"ids": self.ids[i].long(), "label": self.labels[i]}
