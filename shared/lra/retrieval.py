"""Retrieval (AAN citation pairs, byte level) reader: `<data_dir>/new_aan_pairs.{train,eval,test}.tsv`.

Facts from lra_benchmarks/matching/input_pipeline.py: no header; five tab-separated columns
`label, id1, id2, text1, text2` (label written as a float, e.g. `1.0`, cast to int); no quote
handling; split files `train`, `eval` (validation) and `test`; each text cut to 10,000 bytes, then
encoded as bytes + 1 (ByteTextEncoder, vocab 257) and cut/padded to max_length = 4000 per document
(base_match_config.py). The two documents go through one shared encoder (dual encoder, no cross
attention). In the release the files are in lra_release/tsv_data/.
"""

from __future__ import annotations

from pathlib import Path

import torch

from shared.lra.errors import parse_label, require_dir, require_file
from shared.lra.vocab import encode_bytes

SPLIT_FILES = {"train": "train", "val": "eval", "test": "test"}
NUM_COLUMNS = 5
MAX_BYTES = 10_000  # LRA cuts each raw text before encoding


def retrieval_path(data_dir: str | Path, split: str) -> Path:
    return Path(data_dir) / f"new_aan_pairs.{SPLIT_FILES[split]}.tsv"


def read_aan_tsv(path: str | Path) -> list[tuple[int, str, str, bytes, bytes]]:
    """(label, id1, id2, text1, text2) rows; a row with the wrong column count or label raises naming file:line."""
    path = require_file(Path(path), "AAN pairs TSV")
    rows = []
    with path.open("rb") as f:
        for number, raw in enumerate(f, start=1):
            line = raw.rstrip(b"\r\n")
            if not line.strip():
                continue
            fields = line.split(b"\t")
            where = f"{path}:{number}"
            if len(fields) != NUM_COLUMNS:
                raise ValueError(
                    f"{where}: expected {NUM_COLUMNS} tab-separated columns (label, id1, id2, text1, text2), "
                    f"found {len(fields)} (truncated row?)"
                )
            label = parse_label(fields[0].decode("utf-8", "replace").strip(), 2, where, allow_float=True)
            rows.append((label, fields[1].decode(), fields[2].decode(), fields[3], fields[4]))
    return rows


class RetrievalDataset(torch.utils.data.Dataset):
    """Items {"ids1", "ids2": long (len,), "label": long ()}."""

    def __init__(self, data_dir: str | Path, split: str, max_length: int = 4000) -> None:
        if split not in SPLIT_FILES:
            raise ValueError(f"Retrieval split {split!r}: expected one of {tuple(SPLIT_FILES)}")
        require_dir(Path(data_dir), "AAN data (e.g. lra_release/tsv_data)")
        rows = read_aan_tsv(retrieval_path(data_dir, split))
        cut = min(max_length, MAX_BYTES)

        def encode(text: bytes) -> torch.Tensor:
            return torch.tensor(encode_bytes(text[:MAX_BYTES][:cut]), dtype=torch.int16)

        self.ids1 = [encode(r[3]) for r in rows]
        self.ids2 = [encode(r[4]) for r in rows]
        self.labels = torch.tensor([r[0] for r in rows], dtype=torch.long)

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        return {"ids1": self.ids1[i].long(), "ids2": self.ids2[i].long(), "label": self.labels[i]}
