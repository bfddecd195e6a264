"""Launching a paper's training on every local GPU through `torchrun` (one process on CPU)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence

import torch


def local_gpus() -> int:
    return torch.cuda.device_count() if torch.cuda.is_available() else 0


def train_command(module: str, args: Sequence[str], processes: int | None = None) -> list[str]:
    """`python -m module args`, under torchrun with one process per GPU when there is more than one."""
    n = local_gpus() if processes is None else processes
    if n <= 1:
        return [sys.executable, "-m", module, *args]
    return [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={n}", "-m", module, *args]


def run(cmd: Sequence[str]) -> None:
    """Run a step of a reproduction, stopping the whole reproduction if it fails."""
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)
