"""Text (IMDB, byte level) reader: the original `aclImdb` folder that tfds' `imdb_reviews` is built from.

Layout: `<data_dir>/{train,test}/{neg,pos}/<id>_<rating>.txt`, one review per file; label neg = 0,
pos = 1 (tfds ClassLabel order). LRA loads it through tfds (lra_benchmarks/text_classification/
input_pipeline.py) and has no validation split: it evaluates on `test` for both val and test.
Tokens: UTF-8 bytes + 1 (tfds ByteTextEncoder; vocab 257, 0 = padding), cut to the first
`max_length` bytes and padded to exactly `max_length`. LRA's paper reports Text at 4K tokens (our
default); the repo's base_tc_config.py sets max_length = 1000, and OpenNLPLab/lra uses 4096
(with an end-of-sequence token and a frequency-pruned character vocabulary instead of bytes).
"""

from __future__ import annotations

from pathlib import Path

import torch

from shared.lra.errors import require_dir
from shared.lra.vocab import encode_bytes

CLASSES = ("neg", "pos")
SPLIT_FOLDERS = {"train": "train", "val": "test", "test": "test"}  # LRA: IMDb has no val split


class ImdbDataset(torch.utils.data.Dataset):
    """Items {"ids": long (len,), "label": long ()}; files are read in sorted order, neg then pos."""

    def __init__(self, data_dir: str | Path, split: str, max_length: int = 4000) -> None:
        if split not in SPLIT_FOLDERS:
            raise ValueError(f"IMDB split {split!r}: expected one of {tuple(SPLIT_FOLDERS)}")
        root = require_dir(Path(data_dir) / SPLIT_FOLDERS[split], "IMDB split (aclImdb/train or aclImdb/test)")
        self.ids: list[torch.Tensor] = []
        labels = []
        for label, name in enumerate(CLASSES):
            folder = require_dir(root / name, f"IMDB class '{name}'")
            files = sorted(folder.glob("*.txt"))
            if not files:
                raise FileNotFoundError(f"{folder}: no review files (*.txt) found")
            for path in files:
                data = path.read_bytes().strip()
                self.ids.append(torch.tensor(encode_bytes(data[:max_length]), dtype=torch.int16))
                labels.append(label)
        self.labels = torch.tensor(labels, dtype=torch.long)

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        return {"ids": self.ids[i].long(), "label": self.labels[i]}
