"""Real small images that ship with installed packages, written in DTD's official layout.

Two datasets, read back through the DTD reader like any other:
- source (pretraining): scikit-learn's handwritten digits 0-4 and random crops of 8 scikit-image photos;
- target (fine-tuning): digits 5-9 and crops of 8 other photos, split per class into train1/val1/test1.

The target mixes two kinds of images (strokes and textures), the case the paper motivates AMF with:
samples for which different fine-tuning settings suit differently.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

SOURCE_DIGITS = (0, 1, 2, 3, 4)
TARGET_DIGITS = (5, 6, 7, 8, 9)
SOURCE_PHOTOS = ("brick", "grass", "gravel", "camera", "coins", "moon", "chelsea", "coffee")
TARGET_PHOTOS = ("page", "text", "clock", "cell", "astronaut", "rocket", "immunohistochemistry", "hubble_deep_field")


def _photo(name: str) -> np.ndarray:
    import skimage.data

    image = np.asarray(getattr(skimage.data, name)())
    if image.dtype == bool:
        image = image.astype(np.uint8) * 255
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=2)
    return image[..., :3]  # h, w, 3


def _crops(image: np.ndarray, n: int, size: int, crop: int, rng: np.random.Generator) -> list[Image.Image]:
    h, w = image.shape[:2]
    out = []
    for _ in range(n):
        top, left = rng.integers(0, h - crop + 1), rng.integers(0, w - crop + 1)
        patch = Image.fromarray(image[top : top + crop, left : left + crop])
        out.append(patch.resize((size, size), Image.BILINEAR))
    return out


def _digits(size: int) -> dict[int, list[Image.Image]]:
    from sklearn.datasets import load_digits

    digits = load_digits()
    out: dict[int, list[Image.Image]] = {}
    for image, label in zip(digits.images, digits.target, strict=True):
        gray = (image * (255.0 / 16.0)).astype(np.uint8)  # 8 x 8, values 0..16
        out.setdefault(int(label), []).append(Image.fromarray(gray).resize((size, size), Image.BILINEAR).convert("RGB"))
    return out


def write_dtd_layout(root: Path, classes: dict[str, list[Image.Image]], splits: dict[str, int]) -> None:
    """ROOT/dtd/dtd/images/<class>/<class>_<i>.jpg and labels/<split>1.txt; `splits`: images per class, in order."""
    base = Path(root) / "dtd" / "dtd"
    lines: dict[str, list[str]] = {s: [] for s in splits}
    for name, images in classes.items():
        folder = base / "images" / name
        folder.mkdir(parents=True, exist_ok=True)
        start = 0
        for split, count in splits.items():
            for i in range(start, min(start + count, len(images))):
                images[i].save(folder / f"{name}_{i:04d}.jpg", quality=95)
                lines[split].append(f"{name}/{name}_{i:04d}.jpg")
            start += count
    (base / "labels").mkdir(parents=True, exist_ok=True)
    for split, entries in lines.items():
        (base / "labels" / f"{split}1.txt").write_text("".join(e + "\n" for e in entries))


def build_smoke_data(root: str | Path, size: int = 32, per_photo: int = 100, train: int = 30, val: int = 10,
                     test: int = 60, seed: int = 0) -> tuple[Path, Path]:
    """Write (or reuse) ROOT/source and ROOT/target; returns their roots for the DTD reader."""
    root = Path(root)
    source, target = root / "source", root / "target"
    done = root / ".complete"
    if done.is_file():
        return source, target
    rng = np.random.default_rng(seed)
    digits = _digits(size)
    photos = {name: _crops(_photo(name), per_photo, size, 64, rng) for name in SOURCE_PHOTOS + TARGET_PHOTOS}
    write_dtd_layout(source, {**{f"digit_{d}": digits[d] for d in SOURCE_DIGITS},
                              **{f"photo_{p}": photos[p] for p in SOURCE_PHOTOS}}, {"train": 10_000})
    write_dtd_layout(target, {**{f"digit_{d}": digits[d] for d in TARGET_DIGITS},
                              **{f"photo_{p}": photos[p] for p in TARGET_PHOTOS}},
                     {"train": train, "val": val, "test": test})
    done.write_text("ok\n")
    return source, target
