"""Launching a paper's training on the local GPUs through `torchrun` (one process on CPU)."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import torch

from shared.config import apply_overrides, load_config
from shared.parallel import processes_for_batch
from shared.trainer import TrainerConfig


def local_gpus() -> int:
    return torch.cuda.device_count() if torch.cuda.is_available() else 0


def recipe_batch(args: Sequence[str]) -> tuple[int, int] | None:
    """(global batch, grad_accum) of the `--config` in a training command's arguments, with its `--set`s;
    None when the arguments name no config or the config has no `train` section of the shared trainer."""
    args = list(args)
    if "--config" not in args:
        return None
    overrides = [args[i + 1] for i, a in enumerate(args[:-1]) if a == "--set"]
    cfg = apply_overrides(load_config(args[args.index("--config") + 1]), overrides)
    train = getattr(cfg, "train", None)
    return (train.batch_size, train.grad_accum) if isinstance(train, TrainerConfig) else None


def train_command(module: str, args: Sequence[str], processes: int | None = None, global_batch: int | None = None,
                  grad_accum: int = 1) -> list[str]:
    """`python -m module args`, under torchrun with one process per GPU when there is more than one.

    Unless `processes` is given, it uses the most local GPUs over which the recipe's global batch splits evenly
    (8 GPUs and a batch of 20 give 5 processes), so any machine runs the recipe's global batch rather than
    stopping. The batch is `global_batch`, else the one of the `--config` in `args` (with its `--set`s).
    """
    if processes is None:
        if global_batch is None and (found := recipe_batch(args)) is not None:
            global_batch, grad_accum = found
        processes = local_gpus() if global_batch is None else processes_for_batch(global_batch, local_gpus(), grad_accum)
    if processes <= 1:
        return [sys.executable, "-m", module, *args]
    return [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={processes}", "-m",
            module, *args]
