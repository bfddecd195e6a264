"""Generated data: CIFAR-10 in its official python layout (for the dryrun and the tests), and the training
loss on one generated batch at a config's shapes (`example_loss`)."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from nas_efficient.config import NasConfig
from nas_efficient.data import CIFAR_DIR, CIFAR_FILES
from nas_efficient.train import sampled_arch

CIFAR_CLASSES = "airplane automobile bird cat deer dog frog horse ship truck".split()


def write_cifar10(root: str | Path, per_batch: int = 4, seed: int = 0) -> Path:
    """`root/cifar-10-batches-py/`: the five training batches, the test batch and batches.meta, each a
    pickled dict as the official archive has them (b"data" N x 3072 uint8 channel-major, b"labels",
    b"batch_label", b"filenames"), with `per_batch` random 32x32 images each."""
    rng = np.random.default_rng(seed)
    folder = Path(root) / CIFAR_DIR
    folder.mkdir(parents=True, exist_ok=True)
    for name in CIFAR_FILES["train"] + CIFAR_FILES["test"]:
        batch = {b"batch_label": name.encode(), b"labels": rng.integers(0, 10, per_batch).tolist(),
                 b"data": rng.integers(0, 256, (per_batch, 3072), dtype=np.uint8),
                 b"filenames": [f"{name}_{i}.png".encode() for i in range(per_batch)]}
        with (folder / name).open("wb") as f:
            pickle.dump(batch, f)
    meta = {b"label_names": [n.encode() for n in CIFAR_CLASSES], b"num_cases_per_batch": per_batch, b"num_vis": 3072}
    with (folder / "batches.meta").open("wb") as f:
        pickle.dump(meta, f)
    return Path(root)


def example_loss(model: torch.nn.Module, cfg: NasConfig, device: torch.device, batch_size: int = 2) -> torch.Tensor:
    """The training loss (label-smoothed cross-entropy) of one generated batch at the config's image size;
    a supernet trains a sampled sub-network, as `train.py` does at update 0."""
    model.train()
    m = cfg.model
    images = torch.randn(batch_size, m.in_chans, m.image_size, m.image_size, device=device)
    labels = torch.randint(0, m.num_classes, (batch_size,), device=device)
    if cfg.mode == "supernet":
        arch = sampled_arch(cfg.space, cfg.train.seed, 0)
        # both attention types at once, so every kind of layer is on the path
        arch.attention = [cfg.space.attention[i % len(cfg.space.attention)] for i in range(arch.num_layers)]
        logits = model(images, arch)
    else:
        logits = model(images)
    return F.cross_entropy(logits, labels, label_smoothing=cfg.label_smoothing)

