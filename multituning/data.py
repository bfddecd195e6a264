"""Readers for the five target datasets in their official on-disk layouts, and the image transforms.

    fgvc_aircraft   ROOT/fgvc-aircraft-2013b/data/{variants.txt, images_variant_<split>.txt, images/<id>.jpg}
    dtd             ROOT/dtd/dtd/{labels/<split><partition>.txt, images/<class>/<name>.jpg}
    stanford_cars   ROOT/stanford_cars/{devkit/cars_meta.mat, devkit/cars_train_annos.mat, cars_train/,
                                        cars_test_annos_withlabels.mat, cars_test/}
    cifar10         ROOT/cifar-10-batches-py/{data_batch_1..5, test_batch, batches.meta}   (python pickles)
    fashion_mnist   ROOT/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz                   (idx, gzipped)

FGVC-Aircraft, DTD and Stanford Cars go through torchvision's classes (download=False) after a check
that names the missing file; CIFAR-10 and Fashion-MNIST are read here (torchvision's classes insist on
the official MD5 sums / unpacked copies, which tiny test fixtures cannot have).
"""

from __future__ import annotations

import gzip
import pickle
import struct
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch.utils.data import ConcatDataset, Dataset, Subset

from multituning.config import DataConfig

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
DATASETS = ("fgvc_aircraft", "dtd", "stanford_cars", "cifar10", "fashion_mnist")
# the splits each dataset trains and tests on (the official ones; DTD: train1 + val1, as is usual)
TRAIN_SPLITS = {"fgvc_aircraft": ("trainval",), "dtd": ("train", "val"), "stanford_cars": ("train",),
                "cifar10": ("train",), "fashion_mnist": ("train",)}
TEST_SPLITS = {"fgvc_aircraft": ("test",), "dtd": ("test",), "stanford_cars": ("test",), "cifar10": ("test",),
               "fashion_mnist": ("test",)}
# the official validation splits: with the policy on held-out data, the members train on `train` alone and the
# policy on `val` (the other datasets have none; a stratified share of their training set is held out instead)
HELDOUT_SPLITS = {"dtd": (("train",), ("val",)), "fgvc_aircraft": (("train",), ("val",))}
NUM_CLASSES = {"fgvc_aircraft": 100, "dtd": 47, "stanford_cars": 196, "cifar10": 10, "fashion_mnist": 10}


class DataError(ValueError):
    """A dataset file that is missing or does not have the official format."""


def _require(path: Path, what: str) -> Path:
    if not path.exists():
        raise FileNotFoundError(f"{path}: missing; expected {what}")
    return path


# ----------------------------------------------------------------------------------------------
# CIFAR-10 and Fashion-MNIST: read into arrays


class ArrayImages(Dataset):
    """Images held as a uint8 array (n, h, w[, 3]) with integer labels; items are (PIL image, label)."""

    def __init__(self, images: np.ndarray, labels: np.ndarray, classes: list[str], transform: Callable | None = None):
        self.images, self.labels, self.classes, self.transform = images, labels.astype(np.int64), classes, transform

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i: int) -> tuple:
        image = Image.fromarray(self.images[i]).convert("RGB")
        return (self.transform(image) if self.transform else image), int(self.labels[i])


def _unpickle(path: Path) -> dict:
    with open(_require(path, "a CIFAR-10 python pickle"), "rb") as f:
        try:
            return pickle.load(f, encoding="bytes")
        except Exception as err:
            raise DataError(f"{path}: not a CIFAR-10 python pickle ({err})") from err


def read_cifar10(root: str | Path, split: str) -> ArrayImages:
    base = Path(root) / "cifar-10-batches-py"
    files = [f"data_batch_{i}" for i in range(1, 6)] if split == "train" else ["test_batch"]
    meta = _unpickle(base / "batches.meta")
    if b"label_names" not in meta:
        raise DataError(f"{base / 'batches.meta'}: field 'label_names' missing")
    classes = [n.decode() for n in meta[b"label_names"]]
    images, labels = [], []
    for name in files:
        batch = _unpickle(base / name)
        for field in (b"data", b"labels"):
            if field not in batch:
                raise DataError(f"{base / name}: field {field.decode()!r} missing")
        data = np.asarray(batch[b"data"], dtype=np.uint8)
        if data.ndim != 2 or data.shape[1] != 3072 or len(batch[b"labels"]) != len(data):
            raise DataError(f"{base / name}: field 'data' must be (n, 3072) uint8 with n labels, got {data.shape} "
                            f"and {len(batch[b'labels'])} labels")
        images.append(data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))  # n, 32, 32, 3
        labels.append(np.asarray(batch[b"labels"]))
    labels = np.concatenate(labels)
    if labels.min() < 0 or labels.max() >= len(classes):
        raise DataError(f"{base}: labels must be in [0, {len(classes)}), got [{labels.min()}, {labels.max()}]")
    return ArrayImages(np.concatenate(images), labels, classes)


FASHION_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                   "Ankle boot"]


def read_idx(path: Path, magic: int) -> np.ndarray:
    """An idx file (gzipped when it ends in .gz): big-endian magic, dimension sizes, then uint8 data."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(_require(path, "an idx file (Fashion-MNIST format)"), "rb") as f:
        raw = f.read()
    if len(raw) < 8 or struct.unpack(">i", raw[:4])[0] != magic:
        found = struct.unpack(">i", raw[:4])[0] if len(raw) >= 4 else None
        raise DataError(f"{path}: idx magic number must be {magic}, got {found}")
    ndim = magic & 0xFF
    dims = struct.unpack(f">{ndim}i", raw[4 : 4 + 4 * ndim])
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(dims)):
        raise DataError(f"{path}: header says {dims} ({int(np.prod(dims))} values), file holds {data.size}")
    return data.reshape(dims)


def read_fashion_mnist(root: str | Path, split: str) -> ArrayImages:
    prefix = "train" if split == "train" else "t10k"
    root = Path(root)
    images = read_idx(root / f"{prefix}-images-idx3-ubyte.gz", 2051)  # n, 28, 28
    labels = read_idx(root / f"{prefix}-labels-idx1-ubyte.gz", 2049)  # n
    if len(images) != len(labels):
        raise DataError(f"{root}: {prefix} images ({len(images)}) and labels ({len(labels)}) differ in number")
    if labels.max() >= len(FASHION_CLASSES):
        raise DataError(f"{root / f'{prefix}-labels-idx1-ubyte.gz'}: labels must be < 10, got {labels.max()}")
    return ArrayImages(images, labels, FASHION_CLASSES)


# ----------------------------------------------------------------------------------------------
# FGVC-Aircraft, DTD, Stanford Cars: torchvision's readers, after a check that names the missing file


def read_fgvc_aircraft(root: str | Path, split: str):
    from torchvision.datasets import FGVCAircraft

    data = Path(root) / "fgvc-aircraft-2013b" / "data"
    _require(data / "variants.txt", "the list of the 100 variant names")
    labels = _require(data / f"images_variant_{split}.txt", "lines '<image id> <variant name>'")
    _require(data / "images", "the folder of <image id>.jpg files")
    try:
        return FGVCAircraft(str(root), split=split, annotation_level="variant", download=False)
    except (KeyError, ValueError) as err:
        raise DataError(f"{labels}: each line must be '<image id> <variant from variants.txt>' ({err!r})") from err


def read_dtd(root: str | Path, split: str, partition: int = 1):
    from torchvision.datasets import DTD

    base = Path(root) / "dtd" / "dtd"
    labels = _require(base / "labels" / f"{split}{partition}.txt", "lines '<class>/<image name>.jpg'")
    _require(base / "images", "the folder images/<class>/<image name>.jpg")
    try:
        return DTD(str(root), split=split, partition=partition, download=False)
    except ValueError as err:
        raise DataError(f"{labels}: each line must be '<class>/<image name>' ({err})") from err


def read_stanford_cars(root: str | Path, split: str):
    from torchvision.datasets import StanfordCars

    base = Path(root) / "stanford_cars"
    _require(base / "devkit" / "cars_meta.mat", "the devkit's class_names (.mat)")
    if split == "train":
        annos = _require(base / "devkit" / "cars_train_annos.mat", "the devkit's train annotations (.mat)")
    else:
        annos = _require(base / "cars_test_annos_withlabels.mat", "the test annotations with labels (.mat)")
    _require(base / f"cars_{split}", f"the folder of {split} images")
    try:
        return StanfordCars(str(root), split=split, download=False)
    except (KeyError, ValueError) as err:
        raise DataError(f"{annos}: field 'annotations' with 'fname' and 'class' expected ({err!r})") from err


READERS: dict[str, Callable] = {"fgvc_aircraft": read_fgvc_aircraft, "dtd": read_dtd,
                                "stanford_cars": read_stanford_cars, "cifar10": read_cifar10,
                                "fashion_mnist": read_fashion_mnist}


# ----------------------------------------------------------------------------------------------
# transforms and datasets ready for training


def build_transform(cfg: DataConfig, train: bool) -> Callable:
    from torchvision import transforms as T

    norm = [T.ToTensor(), T.Normalize(IMAGENET_MEAN, IMAGENET_STD)]
    if train and cfg.augment:
        return T.Compose([T.RandomResizedCrop(cfg.image_size), T.RandomHorizontalFlip(), *norm])
    return T.Compose([T.Resize(cfg.resize_size), T.CenterCrop(cfg.image_size), *norm])


class Transformed(Dataset):
    """(image, label) items of `base` with `transform` applied to the image."""

    def __init__(self, base: Dataset, transform: Callable) -> None:
        self.base, self.transform = base, transform

    def __len__(self) -> int:
        return len(self.base)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, int]:
        image, label = self.base[i]
        return self.transform(image.convert("RGB")), label


class Preloaded(Dataset):
    """Every item computed once: a tensor of images (n, 3, h, w) and one of labels (n,)."""

    def __init__(self, data: Dataset) -> None:
        items = [data[i] for i in range(len(data))]
        self.images = torch.stack([x for x, _ in items])
        self.labels = torch.tensor([y for _, y in items])

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.images[i], self.labels[i]

    def subset(self, indices: torch.Tensor) -> Preloaded:
        part = Preloaded.__new__(Preloaded)
        part.images, part.labels = self.images[indices], self.labels[indices]
        return part


def build_split(cfg: DataConfig, train: bool) -> Dataset:
    """The training (or test) set of `cfg.name`, transformed; DTD's train set is train1 + val1."""
    if cfg.name not in READERS:
        raise ValueError(f"data.name must be one of {DATASETS}, got {cfg.name!r}")
    splits = (cfg.train_splits or TRAIN_SPLITS[cfg.name]) if train else TEST_SPLITS[cfg.name]
    transform = build_transform(cfg, train)
    parts = [Transformed(READERS[cfg.name](cfg.data_root, s), transform) for s in splits]
    data = parts[0] if len(parts) == 1 else ConcatDataset(parts)
    return Preloaded(data) if cfg.preload else data


def labels_of(data: Dataset) -> torch.Tensor:
    """All labels of a dataset built by `build_split`, without decoding images where the reader allows."""
    if isinstance(data, Preloaded):
        return data.labels
    if isinstance(data, ConcatDataset):
        return torch.cat([labels_of(d) for d in data.datasets])
    if isinstance(data, Subset):
        return labels_of(data.dataset)[torch.as_tensor(data.indices, dtype=torch.long)]
    base = data.base if isinstance(data, Transformed) else data
    for attr in ("labels", "_labels"):
        if hasattr(base, attr):
            return torch.as_tensor(np.asarray(getattr(base, attr)), dtype=torch.long)
    if hasattr(base, "_samples"):  # StanfordCars
        return torch.tensor([y for _, y in base._samples])
    return torch.tensor([int(data[i][1]) for i in range(len(data))])


def stratified_holdout(labels: torch.Tensor, fraction: float, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """(kept, held-out) indices: `fraction` of each class held out (at least one image of a class with two)."""
    if not 0 < fraction < 1:
        raise ValueError(f"policy.heldout_fraction must be in (0, 1), got {fraction}")
    generator = torch.Generator().manual_seed(seed)
    kept, held = [], []
    for c in labels.unique(sorted=True).tolist():
        idx = torch.nonzero(labels == c).flatten()
        idx = idx[torch.randperm(len(idx), generator=generator)]
        n = min(max(1, round(fraction * len(idx))), len(idx) - 1) if len(idx) > 1 else 0
        held.append(idx[:n])
        kept.append(idx[n:])
    return torch.cat(kept).sort().values, torch.cat(held).sort().values


def _subset(data: Dataset, indices: torch.Tensor) -> Dataset:
    return data.subset(indices) if isinstance(data, Preloaded) else Subset(data, indices.tolist())


def members_and_policy_sets(cfg: DataConfig, policy_data: str, heldout_fraction: float = 0.1,
                            policy_splits: tuple[str, ...] = ()) -> tuple[Dataset, Dataset]:
    """The members' training set and the policy's. `policy_data`: "heldout" (images the members never see) or
    "members" (the same set); explicit `policy_splits` name the policy's official splits instead."""
    if policy_splits:
        return build_split(cfg, train=True), build_split(replace(cfg, train_splits=policy_splits), train=True)
    if policy_data == "members":
        data = build_split(cfg, train=True)
        return data, data
    if policy_data != "heldout":
        raise ValueError(f"policy.data must be 'heldout' or 'members', got {policy_data!r}")
    if cfg.name in HELDOUT_SPLITS and not cfg.train_splits:
        members, policy = HELDOUT_SPLITS[cfg.name]
        return (build_split(replace(cfg, train_splits=members), train=True),
                build_split(replace(cfg, train_splits=policy), train=True))
    data = build_split(cfg, train=True)
    kept, held = stratified_holdout(labels_of(data), heldout_fraction)
    return _subset(data, kept), _subset(data, held)
