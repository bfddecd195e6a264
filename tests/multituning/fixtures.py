"""Tiny datasets in exactly the official on-disk layouts, for the readers' tests."""

from __future__ import annotations

import gzip
import pickle
import struct
from pathlib import Path

import numpy as np
from PIL import Image


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


def write_fgvc_aircraft(root: Path, seed: int = 0) -> None:
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
                _jpeg(data / "images" / f"{image_id:07d}.jpg", rng)
                lines.append(f"{image_id:07d} {variant}")
        (data / f"images_variant_{split}.txt").write_text("".join(line + "\n" for line in lines))


DTD_CLASSES = ["banded", "blotchy", "zigzagged"]


def write_dtd(root: Path, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    base = root / "dtd" / "dtd"
    (base / "labels").mkdir(parents=True, exist_ok=True)
    for split, per_class in (("train", 2), ("val", 1), ("test", 2)):
        lines = []
        for cls in DTD_CLASSES:
            for i in range(per_class):
                name = f"{cls}_{split}_{i:04d}.jpg"
                _jpeg(base / "images" / cls / name, rng)
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


def write_stanford_cars(root: Path, seed: int = 0) -> None:
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
            _jpeg(base / f"cars_{split}" / fnames[-1], rng)
        _cars_annotations(annos, fnames, classes)
