"""Language-modelling data in fairseq's binarized layout (what `fairseq-preprocess --only-source` writes):

    DATA_DIR/dict.txt                 "<symbol> <count>" per line; ids 0-3 are <s> <pad> </s> <unk>
    DATA_DIR/{train,valid,test}.bin   token ids of every line, each line ending with </s>
    DATA_DIR/{train,valid,test}.idx   mmap index (fairseq MMapIndexedDataset)

As fairseq's `language_modeling` task with `--sample-break-mode none`, the lines of a split are one
token stream, cut into blocks by `shared.lm.LMBlocks` (the first token is predicted from </s>).
"""

from __future__ import annotations

import logging
from pathlib import Path

import torch

SPLITS = ("train", "valid", "test")


class DataError(ValueError):
    pass


def import_fairseq() -> None:
    """Import fairseq without its side effect: one of its task modules calls logging.basicConfig(DEBUG)."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    import fairseq.data  # noqa: F401

    root.setLevel(level)
    for handler in root.handlers[len(handlers):]:
        root.removeHandler(handler)


def load_dictionary(data_dir: str | Path):
    import_fairseq()
    from fairseq.data import Dictionary

    path = Path(data_dir) / "dict.txt"
    if not path.is_file():
        raise DataError(f"{path}: missing; expected fairseq's dict.txt ('<symbol> <count>' per line) "
                        "as written by fairseq-preprocess")
    try:
        return Dictionary.load(str(path))
    except Exception as err:  # fairseq raises ValueError/RuntimeError with its own wording
        raise DataError(f"{path}: not a fairseq dictionary ('<symbol> <count>' per line): {err}") from err


def load_tokens(data_dir: str | Path, split: str, vocab_size: int | None = None) -> torch.Tensor:
    """All token ids of a split as one 1-D LongTensor."""
    import_fairseq()
    from fairseq.data.indexed_dataset import MMapIndexedDataset

    prefix = Path(data_dir) / split
    for suffix in (".bin", ".idx"):
        if not prefix.with_suffix(suffix).is_file():
            raise DataError(f"{prefix.with_suffix(suffix)}: missing; expected fairseq-preprocess output "
                            f"({split}.bin + {split}.idx, --dataset-impl mmap)")
    try:
        ds = MMapIndexedDataset(str(prefix))
    except Exception as err:
        raise DataError(f"{prefix}.idx: not a fairseq mmap index ({err})") from err
    if len(ds) == 0:
        raise DataError(f"{prefix}.bin: no lines; expected at least one tokenized line")
    tokens = torch.cat([ds[i].long() for i in range(len(ds))])
    if vocab_size is not None and int(tokens.max()) >= vocab_size:
        raise DataError(f"{prefix}.bin: token id {int(tokens.max())} >= dictionary size {vocab_size} (dict.txt)")
    return tokens


def write_split(data_dir: str | Path, split: str, lines: list[torch.Tensor], vocab_size: int) -> None:
    """Write token lines (each ending with </s>) as fairseq's mmap .bin/.idx, with fairseq's own builder."""
    import_fairseq()
    from fairseq.data.indexed_dataset import MMapIndexedDatasetBuilder, best_fitting_int_dtype

    prefix = Path(data_dir) / split
    builder = MMapIndexedDatasetBuilder(str(prefix.with_suffix(".bin")), dtype=best_fitting_int_dtype(vocab_size))
    for line in lines:
        builder.add_item(line)
    builder.finalize(str(prefix.with_suffix(".idx")))
