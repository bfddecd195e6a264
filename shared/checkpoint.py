"""Atomic checkpoints: a write that dies half-way never replaces the previous checkpoint.

A checkpoint damaged after it was written (a copy cut short, a full disk, a flipped byte) is skipped
by `latest_checkpoint`, which says which file it passed over and why, and returns the newest
complete one instead.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import zipfile
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
    """(step, path) of every file named as a checkpoint in `folder`, oldest first; temporary files are ignored."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = [(int(m.group(1)), p) for p in folder.iterdir() if (m := _STEP_FILE.match(p.name))]
    return sorted(found)


def checkpoint_problem(path: str | Path) -> str | None:
    """Why `path` is not a complete checkpoint, or None if it is.

    torch.save writes a zip archive with a CRC-32 per member: a file cut short has no central
    directory, and a changed byte fails its member's checksum. Reads the file once, unpickles nothing.
    """
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as err:
        return f"truncated, or not a file torch.save wrote ({err})"
    with archive:
        for info in archive.infolist():
            if info.CRC == 0 and info.file_size > 0:
                continue  # written with torch's CRC computation switched off: nothing to compare
            try:
                with archive.open(info) as member:
                    while member.read(1 << 24):
                        pass
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError) as err:  # zlib errors too
                return f"damaged: member {info.filename} cannot be read back ({err})"
    return None


def newest_complete_checkpoint(folder: str | Path) -> tuple[Path | None, list[tuple[Path, str]]]:
    """The newest complete checkpoint in `folder` (None if there is none), and each newer file passed
    over with the reason."""
    skipped = []
    for _, path in reversed(list_checkpoints(folder)):
        problem = checkpoint_problem(path)
        if problem is None:
            return path, skipped
        skipped.append((path, problem))
    return None, skipped


def latest_checkpoint(folder: str | Path) -> Path | None:
    """The newest complete checkpoint; each newer damaged one is named on stderr with what is wrong."""
    path, skipped = newest_complete_checkpoint(folder)
    fallback = f"using {path.name} instead" if path is not None else "no complete checkpoint is left"
    for bad, problem in skipped:
        print(f"warning: skipping checkpoint {bad}: {problem}; {fallback}", file=sys.stderr, flush=True)
    return path


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
