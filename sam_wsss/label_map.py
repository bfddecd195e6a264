"""One label map per image from per-box masks, and its PNG form.

Merge rule of the original code (`save_mask_data` in process_pascal.py / process_coco.py): start from an all-zero
(background) map and paint each mask with its class in detection order, so a later mask overwrites an earlier
one where they overlap; a mask whose phrase names no class is skipped; pixels no mask covers stay background.
The pseudo labels therefore hold no ignore (255) pixels.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image

from sam_wsss.classes import voc_palette


def merge_masks(masks: np.ndarray, labels: Sequence[int | None], height: int, width: int) -> np.ndarray:
    """masks: (n, h, w) bool; labels: class per mask (None: not a class) -> (h, w) uint8 label map."""
    if len(masks) != len(labels):
        raise ValueError(f"{len(masks)} masks but {len(labels)} labels")
    label_map = np.zeros((height, width), dtype=np.uint8)
    for mask, label in zip(masks, labels, strict=True):
        if label is None:
            continue
        if mask.shape != (height, width):
            raise ValueError(f"mask of shape {mask.shape}, expected ({height}, {width})")
        label_map[mask.astype(bool)] = label
    return label_map


def save_label_png(label_map: np.ndarray, path: str | Path) -> None:
    """Write an index PNG with the VOC palette (mode "P", as SegmentationClass/SegmentationClassAug), atomically."""
    path = Path(path)
    image = Image.fromarray(np.asarray(label_map, dtype=np.uint8), mode="P")
    image.putpalette(voc_palette())
    tmp = path.with_name(path.name + ".tmp")
    image.save(tmp, format="PNG")
    tmp.replace(path)  # a killed run never leaves a half-written label map that a resume would skip


def read_label_png(path: str | Path) -> np.ndarray:
    """Class indices of a label PNG (palette "P" or grayscale "L"); (h, w) uint8."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: label map missing")
    with Image.open(path) as image:
        if image.mode not in ("P", "L"):
            raise ValueError(f"{path}: label map has mode {image.mode!r}; expected an index PNG (mode 'P' or 'L')")
        return np.array(image, dtype=np.uint8)


def colorize(label_map: np.ndarray) -> np.ndarray:
    """(h, w) indices -> (h, w, 3) uint8 VOC colours."""
    palette = np.asarray(voc_palette(), dtype=np.uint8).reshape(256, 3)
    return palette[label_map]


def overlay(image: np.ndarray, label_map: np.ndarray, alpha: float = 0.5) -> np.ndarray:
    """The label colours blended over the photo where a class is painted; (h, w, 3) uint8."""
    colours = colorize(label_map).astype(np.float32)
    out = image.astype(np.float32).copy()
    painted = label_map > 0
    out[painted] = (1 - alpha) * out[painted] + alpha * colours[painted]
    return out.round().astype(np.uint8)
