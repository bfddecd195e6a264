"""Atomic checkpoints: a write that dies half-way never replaces the previous checkpoint."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

import torch

_STEP_FILE = re.compile(r"^step_(\d+)\.pt$")


def atomic_save(obj: Any, path: str | Path) -> None:
    """Write to a temporary file in the same folder, fsync, then rename over `path` (atomic on POSIX)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(obj, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)  # make the rename itself durable
    finally:
        os.close(dir_fd)


def checkpoint_path(folder: str | Path, step: int) -> Path:
    return Path(folder) / f"step_{step:08d}.pt"


def list_checkpoints(folder: str | Path) -> list[tuple[int, Path]]:
    """(step, path) of every complete checkpoint in `folder`, oldest first; temporary files are ignored."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = [(int(m.group(1)), p) for p in folder.iterdir() if (m := _STEP_FILE.match(p.name))]
    return sorted(found)


def latest_checkpoint(folder: str | Path) -> Path | None:
    found = list_checkpoints(folder)
    return found[-1][1] if found else None


def prune_checkpoints(folder: str | Path, keep: int) -> None:
    """Delete all but the newest `keep` checkpoints, and temporary files left by killed writers."""
    for _, path in list_checkpoints(folder)[:-keep] if keep > 0 else []:
        path.unlink(missing_ok=True)
    for tmp in Path(folder).glob(".step_*.tmp"):
        tmp.unlink(missing_ok=True)


def load_checkpoint(path: str | Path, map_location: str | torch.device = "cpu") -> dict:
    """Load a checkpoint this trainer wrote (it holds RNG states, hence weights_only=False)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint {path} does not exist")
    try:
        return torch.load(path, map_location=map_location, weights_only=False)
    except Exception as err:
        raise RuntimeError(f"checkpoint {path} cannot be read ({type(err).__name__}: {err})") from err


def allow_fairseq_checkpoints() -> None:
    """Let torch's weights-only loading read fairseq 0.12 checkpoints.

    They store the run's arguments as an argparse.Namespace, which torch >= 2.6 refuses by default, so
    fairseq-eval-lm / fairseq-generate could not read what fairseq-train wrote. A Namespace is plain
    data: allowing that one class keeps every other global refused. Called by the fairseq plugins.
    """
    import argparse

    torch.serialization.add_safe_globals([argparse.Namespace])
