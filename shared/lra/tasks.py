"""The six LRA tasks: lengths, classes, vocabularies and the baseline Transformer's sizes from LRA's configs.

Sizes come from lra_benchmarks/<task>/configs/transformer_base.py and the base config it extends:
listops/base_listops_config.py, text_classification/base_tc_config.py, matching/base_match_config.py,
image/configs/cifar10/{base_cifar10_config,transformer_base}.py,
image/configs/pathfinder32/{base_pathfinder32_config,transformer_base}.py and
image/configs/pathfinder128/base_pathfinder128_config.py (Path-X). Text's length is the paper's 4K
(base_tc_config.py says 1000).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from shared.lra.classifier import Pooling
from shared.lra.image import Cifar10GrayDataset
from shared.lra.listops import ListOpsDataset
from shared.lra.pathfinder import PathfinderDataset
from shared.lra.retrieval import RetrievalDataset
from shared.lra.text import ImdbDataset
from shared.lra.vocab import BYTE_VOCAB_SIZE, LISTOPS_VOCAB_SIZE, PIXEL_VOCAB_SIZE


@dataclass(frozen=True)
class TaskSpec:
    name: str
    seq_len: int  # per document for Retrieval
    num_classes: int
    vocab_size: int
    dual: bool
    pooling: Pooling
    cls_token: bool  # LRA prepends one when pooling with CLS, except in its dual encoder
    learned_pos_emb: bool
    emb_dim: int
    num_heads: int
    num_layers: int
    qkv_dim: int
    mlp_dim: int
    dropout: float
    attention_dropout: float
    release_folder: str  # inside the lra_release tarball (or the original source for Text and Image)


TASKS: dict[str, TaskSpec] = {
    t.name: t
    for t in (
        TaskSpec("listops", 2000, 10, LISTOPS_VOCAB_SIZE, False, "cls", True, False, 512, 8, 4, 512, 1024, 0.1, 0.1,
                 "lra_release/listops-1000"),
        TaskSpec("text", 4000, 2, BYTE_VOCAB_SIZE, False, "cls", True, False, 256, 4, 4, 256, 1024, 0.1, 0.1, "aclImdb"),
        TaskSpec("retrieval", 4000, 2, BYTE_VOCAB_SIZE, True, "cls", False, False, 128, 4, 4, 128, 512, 0.1, 0.1,
                 "lra_release/tsv_data"),
        TaskSpec("image", 1024, 10, PIXEL_VOCAB_SIZE, False, "cls", True, True, 128, 8, 1, 64, 128, 0.3, 0.2,
                 "cifar-10-batches-bin"),
        TaskSpec("pathfinder", 1024, 2, PIXEL_VOCAB_SIZE, False, "mean", False, False, 32, 4, 4, 16, 32, 0.2, 0.1,
                 "lra_release/pathfinder32"),
        TaskSpec("pathx", 16384, 2, PIXEL_VOCAB_SIZE, False, "mean", False, True, 32, 2, 1, 16, 32, 0.1, 0.1,
                 "lra_release/pathfinder128"),
    )
}


def get_task(name: str) -> TaskSpec:
    if name not in TASKS:
        raise ValueError(f"unknown LRA task {name!r}; expected one of {', '.join(TASKS)}")
    return TASKS[name]


def build_dataset(
    task: str, data_dir: str | Path, split: str, max_length: int, pathfinder_difficulty: str = "curv_contour_length_14",
    split_seed: int | None = None,
) -> torch.utils.data.Dataset:
    """The reader of `task` for one split (train, val, test)."""
    if task == "listops":
        return ListOpsDataset(data_dir, split, max_length)
    if task == "text":
        return ImdbDataset(data_dir, split, max_length)
    if task == "retrieval":
        return RetrievalDataset(data_dir, split, max_length)
    if task == "image":
        return Cifar10GrayDataset(data_dir, split)
    if task in ("pathfinder", "pathx"):
        return PathfinderDataset(data_dir, split, 32 if task == "pathfinder" else 128, pathfinder_difficulty, split_seed)
    raise ValueError(f"unknown LRA task {task!r}; expected one of {', '.join(TASKS)}")
