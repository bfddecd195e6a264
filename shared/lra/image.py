"""Image (CIFAR-10, grayscale, 1,024 pixel tokens) reader: the binary CIFAR-10 release tfds builds from.

Layout: `<data_dir>/data_batch_{1..5}.bin` and `test_batch.bin` (cifar-10-batches-bin); each record
is 1 label byte and 3,072 pixel bytes (1,024 red, 1,024 green, 1,024 blue, row-major 32x32).
LRA (lra_benchmarks/image/input_pipeline.py): train = first 90% of the training set, val = last
10%, test = the test set; `tf.image.rgb_to_grayscale` to uint8, flattened row-major to 1,024 tokens
whose ids are the pixel values (vocab 256). tfds' own example order is not the files' order, so our
90/10 cut (in file order) holds different images than LRA's. Note: LRA's Transformer builds its
padding mask as `inputs > 0`, so black pixels are masked like padding there; here an image has no
padding (padding_mask is all False).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from shared.lra.errors import require_dir, require_file

RECORD_BYTES = 1 + 3 * 32 * 32
TRAIN_FILES = tuple(f"data_batch_{i}.bin" for i in range(1, 6))
TEST_FILES = ("test_batch.bin",)
GRAY_WEIGHTS = np.array([0.2989, 0.5870, 0.1140], dtype=np.float32)  # tf.image.rgb_to_grayscale


def rgb_to_gray_uint8(rgb: np.ndarray) -> np.ndarray:
    """TF's uint8 grayscale: to float by /255, weighted sum, back by *255.5 truncated (convert_image_dtype)."""
    as_float = rgb.astype(np.float32) * np.float32(1.0 / 255.0)
    gray = as_float @ GRAY_WEIGHTS  # ..., h, w
    return np.clip(gray * np.float32(255.5), 0, 255).astype(np.uint8)


def read_cifar_bin(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Images (N, 32, 32, 3) uint8 and labels (N,) from one CIFAR-10 binary batch file."""
    path = require_file(Path(path), "CIFAR-10 binary batch")
    data = np.fromfile(path, dtype=np.uint8)
    if data.size == 0 or data.size % RECORD_BYTES:
        raise ValueError(f"{path}: size {data.size} bytes is not a multiple of the {RECORD_BYTES}-byte CIFAR-10 record (truncated?)")
    records = data.reshape(-1, RECORD_BYTES)
    labels = records[:, 0].astype(np.int64)
    if labels.max() > 9:
        raise ValueError(f"{path}: label {labels.max()} out of range; expected 0..9")
    images = records[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return images, labels


class Cifar10GrayDataset(torch.utils.data.Dataset):
    """Items {"ids": long (1024,), "label": long ()}."""

    def __init__(self, data_dir: str | Path, split: str, val_fraction: float = 0.1) -> None:
        root = require_dir(Path(data_dir), "CIFAR-10 (cifar-10-batches-bin)")
        if split not in ("train", "val", "test"):
            raise ValueError(f"CIFAR-10 split {split!r}: expected train, val or test")
        files = TEST_FILES if split == "test" else TRAIN_FILES
        parts = [read_cifar_bin(root / name) for name in files]
        images = np.concatenate([p[0] for p in parts])
        labels = np.concatenate([p[1] for p in parts])
        if split != "test":
            cut = int(round(len(labels) * (1 - val_fraction)))  # tfds 'train[:90%]'
            sl = slice(0, cut) if split == "train" else slice(cut, None)
            images, labels = images[sl], labels[sl]
        self.ids = torch.from_numpy(rgb_to_gray_uint8(images).reshape(len(labels), -1))  # N, 1024
        self.labels = torch.from_numpy(labels)

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        return {"ids": self.ids[i].long(), "label": self.labels[i]}
