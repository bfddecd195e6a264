"""Pathfinder (32x32 -> 1,024 tokens) and Path-X (128x128 -> 16,384 tokens) reader.

Layout of the lra_release tarball, one folder per resolution (`pathfinder32`, `pathfinder128`, ...):
    <root>/<difficulty>/metadata/<n>.npy      text despite the suffix: one image per line,
                                               space-separated; field 0 = image folder ("imgs/<n>"),
                                               field 1 = file name ("sample_<i>.png"), field 3 = label
    <root>/<difficulty>/imgs/<n>/sample_<i>.png  8-bit grayscale PNG, resolution x resolution
Difficulties: curv_baseline (easy), curv_contour_length_9 (intermediate), curv_contour_length_14
(hard); the LRA tables use the hard one. Label 1: the two markers lie on one connected path.

Facts from lra_benchmarks/data/pathfinder.py and lra_benchmarks/image/input_pipeline.py: examples
come from every metadata file; empty image files are dropped; splits are [:80%], [80%:90%], [90%:]
of the examples; the PNG's pixel values are the tokens (vocab 256), flattened row-major. tfds orders
examples by its own key hash, which we cannot reproduce; we take metadata files in numeric order
and their lines in order, as OpenNLPLab/lra (S4's loader) does. With `split_seed` set we split like
OpenNLPLab/lra instead: torch.utils.data.random_split with lengths (n - 2*int(0.1n), int(0.1n),
int(0.1n)) and a generator seeded with `split_seed` (42 there).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image

from shared.lra.errors import parse_label, require_dir

DIFFICULTIES = ("curv_baseline", "curv_contour_length_9", "curv_contour_length_14")


def read_metadata(path: str | Path) -> list[tuple[str, str, int]]:
    """(image folder, file name, label) per line of one metadata file; bad lines raise naming file:line."""
    path = Path(path)
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split()
        where = f"{path}:{number}"
        if len(fields) < 4:
            raise ValueError(f"{where}: expected at least 4 space-separated fields (folder, file, index, label), found {len(fields)}")
        rows.append((fields[0], fields[1], parse_label(fields[3], 2, where)))
    return rows


def read_png(path: Path, resolution: int) -> np.ndarray:
    """One grayscale image as uint8 (resolution, resolution); a wrong size or mode raises naming the file."""
    try:
        with Image.open(path) as img:
            img.load()
            mode, size = img.mode, img.size
            if mode in ("RGB", "RGBA", "LA", "P"):
                img = img.convert("L")
            elif mode not in ("L", "I;16", "I"):
                raise ValueError(f"{path}: image mode {mode!r}; expected 8-bit grayscale ('L')")
            pixels = np.asarray(img)
    except OSError as err:
        raise ValueError(f"{path}: not a readable PNG ({err})") from None
    if size != (resolution, resolution):
        raise ValueError(f"{path}: image is {size[0]}x{size[1]}; expected {resolution}x{resolution}")
    return pixels.astype(np.uint8)


class PathfinderDataset(torch.utils.data.Dataset):
    """Items {"ids": long (resolution**2,), "label": long ()}, images read lazily."""

    def __init__(
        self,
        root: str | Path,
        split: str,
        resolution: int = 32,
        difficulty: str = "curv_contour_length_14",
        split_seed: int | None = None,
    ) -> None:
        if split not in ("train", "val", "test"):
            raise ValueError(f"Pathfinder split {split!r}: expected train, val or test")
        if difficulty not in DIFFICULTIES:
            raise ValueError(f"Pathfinder difficulty {difficulty!r}: expected one of {DIFFICULTIES}")
        self.resolution = resolution
        base = require_dir(Path(root) / difficulty, f"Pathfinder{resolution} difficulty '{difficulty}'")
        meta_dir = require_dir(base / "metadata", "Pathfinder metadata")
        meta_files = sorted(meta_dir.glob("*.npy"), key=lambda p: (int(p.stem) if p.stem.isdigit() else 1 << 62, p.name))
        if not meta_files:
            raise FileNotFoundError(f"{meta_dir}: no metadata files (<n>.npy) found")
        samples = []
        for meta in meta_files:
            for folder, name, label in read_metadata(meta):
                path = base / folder / name
                if not path.is_file():
                    raise FileNotFoundError(f"{path}: image listed in {meta} not found")
                if path.stat().st_size > 0:  # LRA drops the release's empty image files
                    samples.append((path, label))
        n = len(samples)
        if split_seed is None:  # LRA: [:80%], [80%:90%], [90%:] in order
            order = list(range(n))
            cuts = (int(n * 0.8), int(n * 0.9))
        else:  # OpenNLPLab/lra: random_split(n - 2 * tenth, tenth, tenth) with a seeded generator
            order = torch.randperm(n, generator=torch.Generator().manual_seed(split_seed)).tolist()
            tenth = int(0.1 * n)
            cuts = (n - 2 * tenth, n - tenth)
        start, stop = {"train": (0, cuts[0]), "val": cuts, "test": (cuts[1], n)}[split]
        self.samples = [samples[i] for i in order[start:stop]]
        self.labels = torch.tensor([label for _, label in self.samples], dtype=torch.long)

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        path, label = self.samples[i]
        pixels = read_png(path, self.resolution)
        return {"ids": torch.from_numpy(pixels.reshape(-1).astype(np.int64)), "label": torch.tensor(label)}
