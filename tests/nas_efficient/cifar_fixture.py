"""A tiny CIFAR-10 in the official python layout (cifar-10-batches-py/*), written by the tests."""

import pickle
from pathlib import Path

import numpy as np


def write_cifar10(root: Path, per_batch: int = 4, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        batch = {b"batch_label": name.encode(), b"labels": rng.integers(0, 10, per_batch).tolist(),
                 b"data": rng.integers(0, 256, (per_batch, 3072), dtype=np.uint8),
                 b"filenames": [f"{name}_{i}.png".encode() for i in range(per_batch)]}
        with (folder / name).open("wb") as f:
            pickle.dump(batch, f)
    meta = {b"label_names": [n.encode() for n in ("airplane automobile bird cat deer dog frog horse ship truck").split()]}
    with (folder / "batches.meta").open("wb") as f:
        pickle.dump(meta, f)
    return root
