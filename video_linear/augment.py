"""Training augmentations of the original beyond crops and flips: the TSN multi-scale crop and random erasing.

- `multi_scale_crop` (`slowfast/datasets/transform.py:random_scale_and_resize`, used for Kinetics training
  when DATA.USE_XVIT_AGUMENTATION, the default): a crop of width and height drawn from (1, .875, .75, .66)
  x the short side (sides within 2 px of the output size snap to it; the two scales at most one step
  apart), at one of 13 fixed positions, resized to size x size with PIL's bilinear filter; one draw per clip.
- `random_erasing` (`slowfast/datasets/rand_erasing.py`, DATA.RAND_CROP > 0, `syncronized=True`, mode
  'const'): with probability p, one box of 2%-33% of the frame, aspect in [0.3, 1/0.3], set to 0 (the
  normalised mean) in every channel of every frame; up to 10 tries to fit a box.
Both draw from Python's `random` in the original's order, so the same seed gives the same boxes.
"""

from __future__ import annotations

import math
import random

import numpy as np
import torch
from PIL import Image

SCALES = (1.0, 0.875, 0.75, 0.66)


def _fixed_offsets(width: int, height: int, crop_w: int, crop_h: int) -> list[tuple[int, int]]:
    """The 13 positions (x, y): corners, centre, edge centres, quarter points (TSN's more_fix_crop)."""
    w, h = (width - crop_w) // 4, (height - crop_h) // 4
    quarters = [(0, 0), (4, 0), (0, 4), (4, 4), (2, 2), (0, 2), (4, 2), (2, 4), (2, 0), (1, 1), (3, 1), (1, 3), (3, 3)]
    return [(a * w, b * h) for a, b in quarters]


def multi_scale_box(width: int, height: int, size: int, scales: tuple[float, ...] = SCALES,
                    max_distort: int = 1) -> tuple[int, int, int, int]:
    """(x, y, crop width, crop height) of one multi-scale crop of a width x height frame."""
    sides = [int(min(width, height) * s) for s in scales]
    sides = [size if abs(s - size) < 3 else s for s in sides]
    pairs = [(w, h) for i, h in enumerate(sides) for j, w in enumerate(sides) if abs(i - j) <= max_distort]
    crop_w, crop_h = random.choice(pairs)
    x, y = random.choice(_fixed_offsets(width, height, crop_w, crop_h))
    return x, y, crop_w, crop_h


def multi_scale_crop(frames: torch.Tensor, size: int) -> torch.Tensor:
    """uint8 frames (t, h, w, 3) -> uint8 (t, size, size, 3): the same crop for every frame, then resized."""
    height, width = frames.shape[1:3]
    x, y, w, h = multi_scale_box(width, height, size)
    out = [np.asarray(Image.fromarray(f).crop((x, y, x + w, y + h)).resize((size, size), Image.BILINEAR))
           for f in frames.numpy()]
    return torch.from_numpy(np.stack(out))


def erasing_box(height: int, width: int, probability: float, min_area: float = 0.02, max_area: float = 1 / 3,
                min_aspect: float = 0.3) -> tuple[int, int, int, int] | None:
    """(top, left, h, w) of the box to erase, or None (not drawn, or no box fitted in 10 tries)."""
    if random.random() > probability:
        return None
    log_aspect = (math.log(min_aspect), math.log(1 / min_aspect))
    area = height * width
    for _ in range(10):
        target = random.uniform(min_area, max_area) * area
        aspect = math.exp(random.uniform(*log_aspect))
        h, w = int(round(math.sqrt(target * aspect))), int(round(math.sqrt(target / aspect)))
        if w < width and h < height:
            return random.randint(0, height - h), random.randint(0, width - w), h, w
    return None


def random_erasing(clip: torch.Tensor, probability: float) -> torch.Tensor:
    """clip (..., h, w), normalised: one box set to 0 across all channels and frames, with `probability`."""
    box = erasing_box(clip.shape[-2], clip.shape[-1], probability)
    if box is None:
        return clip
    top, left, h, w = box
    clip = clip.clone()
    clip[..., top:top + h, left:left + w] = 0.0
    return clip
