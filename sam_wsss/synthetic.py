"""A tiny PASCAL VOC 2012 tree with known masks, written in the official layout (for tests and the smoke run).

Each image is a crop of a real scikit-image photo with one or two objects painted on it: a filled disc or box
whose colour and texture depend on its class. Ground truth marks the objects' classes, with a one-pixel ignore
(255) band on their outlines as VOC's annotations have.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image
from scipy import ndimage

from sam_wsss.classes import IGNORE_INDEX
from sam_wsss.label_map import save_label_png

# classes used: cat (8), dog (12), person (15), with a base colour each
CLASS_COLOURS = {8: (220, 60, 40), 12: (40, 90, 220), 15: (230, 210, 60)}


def _backgrounds() -> list[np.ndarray]:
    import skimage.data

    return [skimage.data.grass(), skimage.data.gravel(), skimage.data.brick(), skimage.data.camera()]


def _draw(rng: np.random.Generator, size: int, background: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y0, x0 = rng.integers(0, background.shape[0] - size, 2)
    gray = background[y0:y0 + size, x0:x0 + size].astype(np.float32) * 0.6
    image = np.repeat(gray[..., None], 3, axis=2)
    mask = np.zeros((size, size), dtype=np.uint8)
    yy, xx = np.mgrid[:size, :size]
    for label in rng.choice(list(CLASS_COLOURS), size=rng.integers(1, 3), replace=False):
        r = rng.integers(size // 8, size // 4)
        cy, cx = rng.integers(r, size - r, 2)
        if rng.random() < 0.5:
            shape = (yy - cy) ** 2 + (xx - cx) ** 2 <= r ** 2
        else:
            shape = (abs(yy - cy) <= r) & (abs(xx - cx) <= int(r * 0.8))
        colour = np.array(CLASS_COLOURS[int(label)], dtype=np.float32)
        image[shape] = colour + rng.normal(0, 12, (int(shape.sum()), 3))
        mask[shape] = label
    outline = ndimage.morphological_gradient(mask, size=2) > 0
    mask[outline & (mask > 0)] = IGNORE_INDEX
    return np.clip(image, 0, 255).astype(np.uint8), mask


def write_tiny_voc(root: str | Path, n_train: int = 8, n_val: int = 4, size: int = 64, seed: int = 0) -> Path:
    """Write <root>/VOCdevkit/VOC2012 with splits train/val, SegmentationClass(+Aug) and cls_labels.npy."""
    voc = Path(root) / "VOCdevkit" / "VOC2012"
    for sub in ("JPEGImages", "SegmentationClass", "SegmentationClassAug", "ImageSets/Segmentation"):
        (voc / sub).mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    backgrounds = _backgrounds()
    cls_labels = {}
    for split, count in (("train", n_train), ("val", n_val)):
        ids = [f"2012_{split}{i:04d}" for i in range(count)]
        for image_id in ids:
            image, mask = _draw(rng, size, backgrounds[int(rng.integers(len(backgrounds)))])
            Image.fromarray(image).save(voc / "JPEGImages" / f"{image_id}.jpg", quality=95)
            save_label_png(mask, voc / "SegmentationClass" / f"{image_id}.png")
            save_label_png(mask, voc / "SegmentationClassAug" / f"{image_id}.png")
            hot = np.zeros(20, dtype=np.float32)
            hot[[v - 1 for v in np.unique(mask) if 0 < v < 21]] = 1
            cls_labels[image_id] = hot
        (voc / "ImageSets" / "Segmentation" / f"{split}.txt").write_text("".join(i + "\n" for i in ids))
    np.save(voc / "cls_labels.npy", cls_labels, allow_pickle=True)
    return voc
