"""Generated data: the smoke images, and tiny datasets in each target dataset's official layout.

Smoke: real small images that ship with installed packages, written in DTD's official layout.
Two datasets, read back through the DTD reader like any other:
- source (pretraining): scikit-learn's handwritten digits 0-4 and random crops of 8 scikit-image photos;
- target (fine-tuning): digits 5-9 and crops of 8 other photos, split per class into train1/val1/test1.

The target mixes two kinds of images (strokes and textures), the case the paper motivates AMF with:
samples for which different fine-tuning settings suit differently.

Official layouts (`write_<dataset>`): a few random images per class in exactly the files and formats data.py
reads (the readers' tests and the dryrun profile use them).
"""

from __future__ import annotations

import gzip
import pickle
import struct
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
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



# ----------------------------------------------------------------------------------------------
# official layouts


def _jpeg(path: Path, rng: np.random.Generator, size: tuple[int, int] = (20, 16)) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)).save(path)


def write_cifar10(root: Path, n_per_batch: int = 4, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    base = root / "cifar-10-batches-py"
    base.mkdir(parents=True, exist_ok=True)
    names = [b"airplane", b"automobile", b"bird", b"cat", b"deer", b"dog", b"frog", b"horse", b"ship", b"truck"]
    with open(base / "batches.meta", "wb") as f:
        pickle.dump({b"label_names": names, b"num_cases_per_batch": n_per_batch, b"num_vis": 3072}, f)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        batch = {b"batch_label": name.encode(), b"labels": rng.integers(0, 10, n_per_batch).tolist(),
                 b"data": rng.integers(0, 256, (n_per_batch, 3072), dtype=np.uint8),
                 b"filenames": [f"{name}_{i}.png".encode() for i in range(n_per_batch)]}
        with open(base / name, "wb") as f:
            pickle.dump(batch, f)


def _idx(path: Path, array: np.ndarray, magic: int) -> None:
    header = struct.pack(">i", magic) + struct.pack(f">{array.ndim}i", *array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


def write_fashion_mnist(root: Path, n_train: int = 6, n_test: int = 4, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    root.mkdir(parents=True, exist_ok=True)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        _idx(root / f"{prefix}-images-idx3-ubyte.gz", rng.integers(0, 256, (n, 28, 28)), 2051)
        _idx(root / f"{prefix}-labels-idx1-ubyte.gz", rng.integers(0, 10, n), 2049)


AIRCRAFT_VARIANTS = ["707-320", "A300B4", "Cessna 172"]  # names may hold spaces


def write_fgvc_aircraft(root: Path, seed: int = 0, size: tuple[int, int] = (20, 16)) -> None:
    rng = np.random.default_rng(seed)
    data = root / "fgvc-aircraft-2013b" / "data"
    data.mkdir(parents=True, exist_ok=True)
    (data / "variants.txt").write_text("".join(v + "\n" for v in AIRCRAFT_VARIANTS))
    image_id = 1000000
    for split, per_class in (("train", 2), ("val", 1), ("trainval", 3), ("test", 2)):
        lines = []
        for variant in AIRCRAFT_VARIANTS:
            for _ in range(per_class):
                image_id += 1
                _jpeg(data / "images" / f"{image_id:07d}.jpg", rng, size)
                lines.append(f"{image_id:07d} {variant}")
        (data / f"images_variant_{split}.txt").write_text("".join(line + "\n" for line in lines))


DTD_CLASSES = ["banded", "blotchy", "zigzagged"]


def write_dtd(root: Path, seed: int = 0, size: tuple[int, int] = (20, 16)) -> None:
    rng = np.random.default_rng(seed)
    base = root / "dtd" / "dtd"
    (base / "labels").mkdir(parents=True, exist_ok=True)
    for split, per_class in (("train", 2), ("val", 1), ("test", 2)):
        lines = []
        for cls in DTD_CLASSES:
            for i in range(per_class):
                name = f"{cls}_{split}_{i:04d}.jpg"
                _jpeg(base / "images" / cls / name, rng, size)
                lines.append(f"{cls}/{name}")
        (base / "labels" / f"{split}1.txt").write_text("".join(line + "\n" for line in lines))


CARS_CLASSES = ["AM General Hummer SUV 2000", "Acura RL Sedan 2012", "Audi R8 Coupe 2012"]


def _cars_annotations(path: Path, fnames: list[str], classes: list[int]) -> None:
    from scipy.io import savemat

    fields = ["bbox_x1", "bbox_y1", "bbox_x2", "bbox_y2", "class", "fname"]
    records = np.zeros((1, len(fnames)), dtype=[(f, "O") for f in fields])
    for i, (fname, cls) in enumerate(zip(fnames, classes, strict=True)):
        records[0, i] = (np.uint8(1), np.uint8(1), np.uint8(15), np.uint8(12), np.uint8(cls), fname)
    savemat(path, {"annotations": records})


def write_stanford_cars(root: Path, seed: int = 0, size: tuple[int, int] = (20, 16)) -> None:
    from scipy.io import savemat

    rng = np.random.default_rng(seed)
    base = root / "stanford_cars"
    (base / "devkit").mkdir(parents=True, exist_ok=True)
    savemat(base / "devkit" / "cars_meta.mat", {"class_names": np.array(CARS_CLASSES, dtype=object).reshape(1, -1)})
    for split, annos in (("train", base / "devkit" / "cars_train_annos.mat"),
                         ("test", base / "cars_test_annos_withlabels.mat")):
        fnames, classes = [], []
        for i in range(6):
            fnames.append(f"{i + 1:05d}.jpg")
            classes.append(i % 3 + 1)  # the devkit's classes count from 1
            _jpeg(base / f"cars_{split}" / fnames[-1], rng, size)
        _cars_annotations(annos, fnames, classes)


def example_loss(model: torch.nn.Module, cfg, device: torch.device | str, batch: int = 2) -> torch.Tensor:
    """AMF's training loss on one generated batch at the config's image size: the negative log-likelihood of
    the fused prediction (the policy stage; with `schedule=joint` the members learn from it too)."""
    model.train()
    size = cfg.data.image_size
    images = torch.rand(batch, 3, size, size, device=device)
    num_classes = model.members[0].head_parameters()[0].shape[0]
    labels = torch.randint(0, num_classes, (batch,), device=device)
    return F.nll_loss(model(images), labels)
