"""Launching a paper's training on every local GPU through `torchrun` (one process on CPU)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence

import torch

from shared.parallel import processes_for_batch


def local_gpus() -> int:
    return torch.cuda.device_count() if torch.cuda.is_available() else 0


def train_command(module: str, args: Sequence[str], processes: int | None = None, global_batch: int | None = None,
                  grad_accum: int = 1) -> list[str]:
    """`python -m module args`, under torchrun with one process per GPU when there is more than one.

    With `global_batch`, it uses the most local GPUs over which the recipe's batch splits evenly (8 GPUs and a
    batch of 20 give 5 processes), so any machine runs the recipe's global batch rather than stopping.
    """
    if processes is None:
        processes = local_gpus() if global_batch is None else processes_for_batch(global_batch, local_gpus(), grad_accum)
    n = processes
    if n <= 1:
        return [sys.executable, "-m", module, *args]
    return [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={n}", "-m", module, *args]


def run(cmd: Sequence[str]) -> None:
    """Run a step of a reproduction, stopping the whole reproduction if it fails."""
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)
