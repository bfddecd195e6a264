"""Image data: CIFAR-10 in its official python layout, and scikit-learn's digits for the smoke runs.

CIFAR-10 (https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz) unpacks to
`cifar-10-batches-py/` with `data_batch_1` … `data_batch_5`, `test_batch` and `batches.meta`: pickles
of dicts with b"data" (N x 3072 uint8, channel-major 32x32 planes) and b"labels" (N ints).
Transforms follow mixFormer's classification task (DeiT's `build_transform`): training uses timm's
`create_transform` (random-resized crop, flip, RandAugment rand-m9-mstd0.5-inc1, colour jitter 0.4,
random erasing 0.25 in pixel mode, bicubic); only at 32 px or less is the random-resized crop replaced by
a padded random crop. Evaluation resizes to size·256/224 (bicubic) and centre-crops above 32 px. Both
normalise with the ImageNet mean and std.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Literal

import numpy as np
import torch
from PIL import Image
from torch.utils.data import Dataset

CIFAR_DIR = "cifar-10-batches-py"
CIFAR_FILES = {"train": [f"data_batch_{i}" for i in range(1, 6)], "test": ["test_batch"]}
IMAGENET_MEAN, IMAGENET_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


class DataError(ValueError):
    pass


def read_cifar10(root: str | Path, split: Literal["train", "test"]) -> tuple[np.ndarray, np.ndarray]:
    """(images (N, 32, 32, 3) uint8, labels (N,) int64) from the official python batches."""
    folder = Path(root) / CIFAR_DIR
    images, labels = [], []
    for name in CIFAR_FILES[split]:
        path = folder / name
        if not path.is_file():
            raise DataError(f"{path}: missing; expected the official CIFAR-10 python batches "
                            f"(run `python -m nas_efficient.prepare --root {root}`)")
        with path.open("rb") as f:
            batch = pickle.load(f, encoding="bytes")
        if b"data" not in batch or b"labels" not in batch:
            raise DataError(f"{path}: expected a pickled dict with b'data' and b'labels', got keys {list(batch)[:5]}")
        data = np.asarray(batch[b"data"], dtype=np.uint8)
        if data.ndim != 2 or data.shape[1] != 3072 or len(data) != len(batch[b"labels"]):
            raise DataError(f"{path}: b'data' must be (N, 3072) with N labels, got {data.shape} and "
                            f"{len(batch[b'labels'])} labels")
        images.append(data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
        labels.append(np.asarray(batch[b"labels"], dtype=np.int64))
    labels_all = np.concatenate(labels)
    if labels_all.min() < 0 or labels_all.max() > 9:
        raise DataError(f"{folder}: labels must be in 0..9, got {labels_all.min()}..{labels_all.max()}")
    return np.concatenate(images), labels_all


def cifar_transform(train: bool, image_size: int, augment: bool = True):
    """The original's train / eval transforms (see the module docstring)."""
    from timm.data import create_transform
    from torchvision import transforms

    if train and augment:
        t = create_transform(input_size=image_size, is_training=True, color_jitter=0.4,
                             auto_augment="rand-m9-mstd0.5-inc1", interpolation="bicubic", re_prob=0.25,
                             re_mode="pixel", re_count=1, mean=IMAGENET_MEAN, std=IMAGENET_STD)
        if image_size <= 32:  # the original keeps the random-resized crop (32 px images upscaled) above 32 px
            t.transforms[0] = transforms.RandomCrop(image_size, padding=4)
        return t
    steps = []
    if image_size > 32:
        steps += [transforms.Resize(int(256 / 224 * image_size), interpolation=transforms.InterpolationMode.BICUBIC),
                  transforms.CenterCrop(image_size)]
    return transforms.Compose([*steps, transforms.ToTensor(), transforms.Normalize(IMAGENET_MEAN, IMAGENET_STD)])


class Cifar10(Dataset):
    def __init__(self, root: str | Path, split: Literal["train", "test"], image_size: int = 224,
                 augment: bool = True) -> None:
        self.images, self.labels = read_cifar10(root, split)
        self.transform = cifar_transform(split == "train", image_size, augment)

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, int]:
        return self.transform(Image.fromarray(self.images[i])), int(self.labels[i])


class Digits(Dataset):
    """scikit-learn's 8x8 handwritten digits (1797 real images, shipped with the package), split
    deterministically 70/15/15 into train/val/test; pixels scaled to [-1, 1], one channel."""

    def __init__(self, split: Literal["train", "val", "test"], seed: int = 0) -> None:
        from sklearn.datasets import load_digits

        digits = load_digits()
        order = np.random.default_rng(seed).permutation(len(digits.target))
        n_train, n_val = int(0.7 * len(order)), int(0.15 * len(order))
        parts = {"train": order[:n_train], "val": order[n_train:n_train + n_val], "test": order[n_train + n_val:]}
        idx = parts[split]
        self.images = torch.tensor(digits.images[idx], dtype=torch.float32).unsqueeze(1) / 8.0 - 1.0  # n, 1, 8, 8
        self.labels = torch.tensor(digits.target[idx], dtype=torch.long)

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, int]:
        return self.images[i], int(self.labels[i])


def build_datasets(name: str, root: str, image_size: int, augment: bool) -> dict[str, Dataset]:
    """train / val / test. CIFAR-10 has no official validation split: val is the test set, as the
    original validates on it."""
    if name == "digits":
        return {s: Digits(s) for s in ("train", "val", "test")}
    if name == "cifar10":
        test = Cifar10(root, "test", image_size, augment)
        return {"train": Cifar10(root, "train", image_size, augment), "val": test, "test": test}
    raise DataError(f"unknown dataset {name!r}; expected 'cifar10' or 'digits'")
