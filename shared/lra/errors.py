"""Checks shared by the LRA readers: every error names the file (and row) and what was expected."""

from __future__ import annotations

from pathlib import Path


def require_dir(path: Path, what: str) -> Path:
    if not path.is_dir():
        raise FileNotFoundError(f"{path}: {what} folder not found (see shared/lra/README.md for the lra_release layout)")
    return path


def require_file(path: Path, what: str) -> Path:
    if not path.is_file():
        raise FileNotFoundError(f"{path}: {what} file not found (see shared/lra/README.md for the lra_release layout)")
    return path


def parse_label(text: str, num_classes: int, where: str, allow_float: bool = False) -> int:
    """An integer class label in [0, num_classes); AAN writes labels as floats ("1.0")."""
    try:
        value = float(text) if allow_float else int(text)
    except ValueError:
        raise ValueError(f"{where}: label {text!r} is not a number; expected an integer in [0, {num_classes})") from None
    if value != int(value) or not 0 <= int(value) < num_classes:
        raise ValueError(f"{where}: label {text!r} out of range; expected an integer in [0, {num_classes})")
    return int(value)
