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

from shared import paths
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


_COMMON = {"dropout": 0.1, "attention_dropout": 0.1}
TASKS: dict[str, TaskSpec] = {
    t.name: t
    for t in (
        TaskSpec(name="listops", seq_len=2000, num_classes=10, vocab_size=LISTOPS_VOCAB_SIZE, dual=False, pooling="cls",
                 cls_token=True, learned_pos_emb=False, emb_dim=512, num_heads=8, num_layers=4, qkv_dim=512,
                 mlp_dim=1024, **_COMMON, release_folder="lra_release/listops-1000"),
        TaskSpec(name="text", seq_len=4000, num_classes=2, vocab_size=BYTE_VOCAB_SIZE, dual=False, pooling="cls",
                 cls_token=True, learned_pos_emb=False, emb_dim=256, num_heads=4, num_layers=4, qkv_dim=256,
                 mlp_dim=1024, **_COMMON, release_folder="aclImdb"),
        TaskSpec(name="retrieval", seq_len=4000, num_classes=2, vocab_size=BYTE_VOCAB_SIZE, dual=True, pooling="cls",
                 cls_token=False, learned_pos_emb=False, emb_dim=128, num_heads=4, num_layers=4, qkv_dim=128,
                 mlp_dim=512, **_COMMON, release_folder="lra_release/tsv_data"),
        TaskSpec(name="image", seq_len=1024, num_classes=10, vocab_size=PIXEL_VOCAB_SIZE, dual=False, pooling="cls",
                 cls_token=True, learned_pos_emb=True, emb_dim=128, num_heads=8, num_layers=1, qkv_dim=64,
                 mlp_dim=128, dropout=0.3, attention_dropout=0.2, release_folder="cifar-10-batches-bin"),
        TaskSpec(name="pathfinder", seq_len=1024, num_classes=2, vocab_size=PIXEL_VOCAB_SIZE, dual=False,
                 pooling="mean", cls_token=False, learned_pos_emb=False, emb_dim=32, num_heads=4, num_layers=4,
                 qkv_dim=16, mlp_dim=32, dropout=0.2, attention_dropout=0.1, release_folder="lra_release/pathfinder32"),
        TaskSpec(name="pathx", seq_len=16384, num_classes=2, vocab_size=PIXEL_VOCAB_SIZE, dual=False, pooling="mean",
                 cls_token=False, learned_pos_emb=True, emb_dim=32, num_heads=2, num_layers=1, qkv_dim=16,
                 mlp_dim=32, **_COMMON, release_folder="lra_release/pathfinder128"),
    )
}


def get_task(name: str) -> TaskSpec:
    if name not in TASKS:
        raise ValueError(f"unknown LRA task {name!r}; expected one of {', '.join(TASKS)}")
    return TASKS[name]


def data_dir(name: str) -> Path:
    """Where a task's data is read from: the release folder under the shared `lra` dataset folder."""
    return paths.dataset("lra") / get_task(name).release_folder


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
