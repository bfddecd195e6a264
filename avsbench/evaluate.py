"""AVSBench metrics from prediction PNGs or from a trained run.

    python -m avsbench.evaluate --pred-dir P --gt-dir G [--clips-per-batch 4] [--out scores.json]
        P: masks as the original save_mask writes them ({category}/{name}/{name}_{k}.png for S4,
           {name}/{name}_{k}.png for MS3, k = 0..4; 8-bit, value/255 read as a probability);
        G: the official gt_masks/{split} folder ({...}/{name}/{name}_{k}.png, k = 1..5).
    python -m avsbench.evaluate --run-dir RUN [--split test]
        loads RUN/config.json and RUN's newest checkpoint and scores the split.
Prints and writes JSON: miou (the original mask_iou) and f_score (Eval_Fmeasure, beta^2 = 0.3).
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from avsbench.evaluation import batched_scores

_GT_NAME = re.compile(r"^(?P<name>.+)_(?P<k>[1-5])\.png$")


def _read_png(path: Path) -> torch.Tensor:
    if not path.is_file():
        raise FileNotFoundError(f"{path}: missing predicted mask (expected an 8-bit PNG)")
    return torch.from_numpy(np.asarray(Image.open(path).convert("L"), dtype=np.float32) / 255.0)


def load_pairs(pred_dir: str | Path, gt_dir: str | Path) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """Per clip (sorted by path): predictions (5, H, W) in [0, 1] and ground truth (5, H, W) in {0, 1}."""
    pred_dir, gt_dir = Path(pred_dir), Path(gt_dir)
    clips: dict[Path, dict[int, Path]] = {}
    for path in sorted(gt_dir.rglob("*.png")):
        m = _GT_NAME.match(path.name)
        if m is None:
            raise ValueError(f"{path}: ground-truth mask name must be <video>_<1..5>.png")
        clips.setdefault(path.parent, {})[int(m["k"])] = path
    if not clips:
        raise FileNotFoundError(f"{gt_dir}: no ground-truth PNG masks found")
    probs, targets = [], []
    for folder, frames in clips.items():
        rel = folder.relative_to(gt_dir)
        p, t = [], []
        for k in sorted(frames):
            name = _GT_NAME.match(frames[k].name)["name"]
            gt = _read_png(frames[k])
            pred = _read_png(pred_dir / rel / f"{name}_{k - 1}.png")
            if pred.shape != gt.shape:
                raise ValueError(f"{pred_dir / rel / f'{name}_{k - 1}.png'}: size {tuple(pred.shape)}, "
                                 f"ground truth {frames[k]} is {tuple(gt.shape)}")
            p.append(pred)
            t.append((gt >= 0.5).float())
        probs.append(torch.stack(p))
        targets.append(torch.stack(t))
    return probs, targets


def evaluate_run(run_dir: Path, split: str) -> dict[str, float]:
    from avsbench.data import AVSDataset
    from avsbench.evaluation import predict
    from avsbench.train import build_system
    from shared.checkpoint import latest_checkpoint, load_checkpoint
    from shared.config import load_config

    cfg = load_config(run_dir / "config.json")
    ckpt = latest_checkpoint(run_dir / "checkpoints")
    if ckpt is None:
        raise FileNotFoundError(f"{run_dir / 'checkpoints'}: no checkpoint to evaluate")
    cfg.audio.vggish_weights = None  # the checkpoint holds VGGish too
    cfg.backbone_weights = None
    system = build_system(cfg)
    system.load_state_dict(load_checkpoint(ckpt, map_location="cpu")["model"])
    system.eval()
    ds = AVSDataset(cfg.data.root, cfg.data.setting, split, cfg.data.image_size)
    probs, targets = predict(system, ds, torch.device("cpu"), cfg.data.eval_clips_per_batch)
    return batched_scores(probs, targets, cfg.data.eval_clips_per_batch)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pred-dir", type=Path)
    parser.add_argument("--gt-dir", type=Path)
    parser.add_argument("--run-dir", type=Path)
    parser.add_argument("--split", default="test")
    parser.add_argument("--clips-per-batch", type=int, default=4, help="the original test.sh scores 4 clips a batch")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.run_dir is not None:
        scores = evaluate_run(args.run_dir, args.split)
    elif args.pred_dir is not None and args.gt_dir is not None:
        probs, targets = load_pairs(args.pred_dir, args.gt_dir)
        scores = {**batched_scores(probs, targets, args.clips_per_batch), "clips": len(probs)}
    else:
        parser.error("give --pred-dir and --gt-dir, or --run-dir")
    text = json.dumps(scores, indent=2)
    print(text)
    if args.out is not None:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
