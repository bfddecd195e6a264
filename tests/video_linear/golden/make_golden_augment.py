"""Make augment.json: the original's multi-scale crop boxes, random-erasing boxes and LR policy, on fixed seeds.

    python tests/video_linear/golden/make_golden_augment.py --original /path/to/Linear_VideoTransformer

Runs `slowfast/datasets/transform.py` (`_sample_crop_size` with the arguments `random_scale_and_resize`
passes, and `random_scale_and_resize` itself on a small clip), `slowfast/datasets/rand_erasing.py`
(`RandomErasing(probability=0.5, syncronized=True)` on a normalised clip) and `slowfast/utils/lr_policy.py`
(`get_lr_at_epoch` with the K400 and SSv2 solver settings) of OpenNLPLab/Linear_VideoTransformer
(commit 185d74a), loaded by path. The original code is not part of this repository.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
SIZES = [(340, 256), (256, 340), (320, 240), (455, 256), (224, 224)]  # (width, height) of decoded frames


def load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--original", type=Path, required=True)
    args = parser.parse_args()
    transform = load(args.original / "slowfast/datasets/transform.py", "orig_transform")
    erasing = load(args.original / "slowfast/datasets/rand_erasing.py", "orig_rand_erasing")
    lr_policy = load(args.original / "slowfast/utils/lr_policy.py", "orig_lr_policy")
    out: dict = {"crop_boxes": [], "erasing": []}
    for width, height in SIZES:
        for seed in range(12):
            random.seed(seed)
            w, h, x, y = transform._sample_crop_size((width, height), [1, 0.875, 0.75, 0.66], (224, 224), 1, True, True)
            out["crop_boxes"].append({"width": width, "height": height, "seed": seed, "box": [x, y, w, h]})
    # one full call: uint8 frames (t, h, w, 3) -> resized crops, compared pixel by pixel
    frames = torch.from_numpy(np.random.RandomState(0).randint(0, 256, size=(2, 60, 80, 3)).astype(np.uint8))
    random.seed(3)
    resized = transform.random_scale_and_resize(frames, (32, 32))
    out["resize"] = {"seed": 3, "input_seed": 0, "shape": [2, 60, 80, 3], "size": 32, "output": resized.tolist()}
    eraser = erasing.RandomErasing(probability=0.5, syncronized=True)
    for seed in range(16):
        random.seed(seed)
        clip = torch.ones(3, 4, 56, 48)  # C, T, H, W as the readers hold it
        erased = eraser(clip) == 0
        box = None
        if erased.any():
            rows, cols = erased[0, 0].any(1).nonzero()[:, 0], erased[0, 0].any(0).nonzero()[:, 0]
            box = [int(rows[0]), int(cols[0]), int(rows[-1] - rows[0] + 1), int(cols[-1] - cols[0] + 1)]
            assert bool(erased[:, :, box[0]:box[0] + box[2], box[1]:box[1] + box[3]].all())
        out["erasing"].append({"seed": seed, "height": 56, "width": 48, "box": box})
    lrs = {}
    for name, solver in {"k400": dict(BASE_LR=0.035, MAX_EPOCH=40, WARMUP_START_LR=0.01),
                         "ssv2": dict(BASE_LR=0.03, MAX_EPOCH=35, WARMUP_START_LR=0.003)}.items():
        cfg = SimpleNamespace(SOLVER=SimpleNamespace(LR_POLICY="cosine", COSINE_END_LR=0.0, WARMUP_EPOCHS=5.0, **solver))
        epochs = [0.0, 0.5, 1.0, 2.5, 4.99, 5.0, 10.0, 20.0, solver["MAX_EPOCH"] - 0.01]
        lrs[name] = {"epochs": epochs, "lr": [lr_policy.get_lr_at_epoch(cfg, e) for e in epochs], **solver}
    out["lr"] = lrs
    (HERE / "augment.json").write_text(json.dumps(out) + "\n")
    print("wrote", HERE / "augment.json")


if __name__ == "__main__":
    main()
