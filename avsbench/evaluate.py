"""AVSBench evaluation as the original test.py: metrics per batch of clips, averaged over the batches.

    python -m avsbench.evaluate --pred-dir P --data-root ROOT --setting {s4,ms3} [--split test] [--clips-per-batch 4]
        P: masks as the original save_mask writes them ({category}/{name}/{name}_{k}.png for S4,
           {name}/{name}_{k}.png for MS3, k = 0..4; 8-bit, value/255 read as a probability);
        ROOT: the setting's folder (Single-source or Multi-sources): its meta CSV gives the clips in the order
           the original's test loader batches them, its gt_masks/{split} the ground truth, read as the
           original's loaders read it (MS3: soft grey levels).
    python -m avsbench.evaluate --run-dir RUN [--split test] [--checkpoint best|last]
        loads RUN/config.json and RUN's best (checkpoints/best.pt) or newest checkpoint and scores the split.
Prints and writes JSON: miou (the original mask_iou) and f_score (Eval_Fmeasure, beta^2 = 0.3). The batch
grouping matters: the F-score's maximum over thresholds is taken per batch, so 4 clips a batch (test.sh) and
1 clip a batch (train.py's validation) give different values on the same predictions.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from avsbench.data import AVSDataset, read_clips
from avsbench.metrics import f_score, jaccard


def batched_scores(probs: list[torch.Tensor], targets: list[torch.Tensor], clips_per_batch: int) -> dict[str, float]:
    """probs/targets: one (5, H, W) tensor per clip, in the loader's order. test.sh uses --test_batch_size 4."""
    if clips_per_batch < 1:
        raise ValueError(f"clips_per_batch must be >= 1, got {clips_per_batch}")
    mious, fs = [], []
    for i in range(0, len(probs), clips_per_batch):
        p = torch.cat(probs[i: i + clips_per_batch])
        t = torch.cat(targets[i: i + clips_per_batch])
        mious.append(jaccard(p, t).item())
        fs.append(f_score(p, t))
    return {"miou": float(np.mean(mious)), "f_score": float(np.mean(fs))}


@torch.no_grad()
def predict(system: torch.nn.Module, dataset: AVSDataset, device: torch.device, batch_size: int = 4):
    """Per clip, in the dataset's (CSV) order: probabilities (5, H, W) and ground truth (5, H, W)."""
    loader = torch.utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=False)
    probs, targets = [], []
    for batch in loader:
        logits, _, _ = system(batch["frames"].to(device), batch["log_mel"].to(device))
        p = torch.sigmoid(logits.float()).cpu().reshape(batch["frames"].shape[0], -1, *logits.shape[-2:])
        probs += list(p)
        targets += list(batch["masks"][:, :, 0])
    return probs, targets


def save_masks(probs: list[torch.Tensor], dataset: AVSDataset, out_dir: str | Path) -> Path:
    """Binary masks (0/255 PNG) as the original save_mask: S4 {category}/{name}/{name}_{k}.png, k = 0..4."""
    out_dir = Path(out_dir)
    for p, clip in zip(probs, dataset.clips, strict=True):
        folder = out_dir / clip.category / clip.name if clip.category else out_dir / clip.name
        folder.mkdir(parents=True, exist_ok=True)
        for k, frame in enumerate(p):
            Image.fromarray(((frame > 0.5).numpy() * 255).astype(np.uint8)).save(folder / f"{clip.name}_{k}.png")
    return out_dir


def _read_prediction(path: Path) -> torch.Tensor:
    if not path.is_file():
        raise FileNotFoundError(f"{path}: missing predicted mask (expected an 8-bit PNG, as save_mask writes)")
    return torch.from_numpy(np.asarray(Image.open(path).convert("L"), dtype=np.float32) / 255.0)


def load_pairs(pred_dir: str | Path, data_root: str | Path, setting: str, split: str = "test"
               ) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """Per clip of the split, in meta-CSV order: predictions (5, H, W) in [0, 1] and ground truth (5, H, W)."""
    from avsbench.data import NUM_FRAMES, load_mask, mask_path

    pred_dir, data_root = Path(pred_dir), Path(data_root)
    clips = read_clips(data_root, setting, split)
    if not clips:
        raise ValueError(f"{data_root}: the meta CSV has no clip with split == {split!r}")
    probs, targets = [], []
    for clip in clips:
        folder = pred_dir / clip.category / clip.name if clip.category else pred_dir / clip.name
        p, t = [], []
        for k in range(1, NUM_FRAMES + 1):
            gt = load_mask(mask_path(data_root, setting, clip, k), None, setting)[0]
            pred_file = folder / f"{clip.name}_{k - 1}.png"
            pred = _read_prediction(pred_file)
            if pred.shape != gt.shape:
                raise ValueError(f"{pred_file}: size {tuple(pred.shape)}, its ground truth is {tuple(gt.shape)}")
            p.append(pred)
            t.append(gt)
        probs.append(torch.stack(p))
        targets.append(torch.stack(t))
    return probs, targets


def evaluate_run(run_dir: Path, split: str, which: str = "best") -> dict[str, float]:
    """Score `split` with the run's best checkpoint (checkpoints/best.pt) or its newest one."""
    from avsbench.model import build_model
    from shared.checkpoint import latest_checkpoint, load_checkpoint
    from shared.config import load_config
    from shared.selection import BEST_FILE

    cfg = load_config(run_dir / "config.json")
    ckpt = run_dir / "checkpoints" / BEST_FILE if which == "best" else latest_checkpoint(run_dir / "checkpoints")
    if ckpt is None or not Path(ckpt).is_file():
        raise FileNotFoundError(f"{run_dir / 'checkpoints'}: no {which} checkpoint to evaluate")
    system = build_model(cfg)  # the checkpoint holds VGGish and the backbone too
    system.load_state_dict(load_checkpoint(ckpt, map_location="cpu")["model"])
    system.eval()
    ds = AVSDataset(cfg.data.data_root, cfg.data.setting, split, cfg.data.image_size, cfg.data.audio)
    batch = cfg.data.val_clips_per_batch if split == "val" else cfg.data.eval_clips_per_batch
    probs, targets = predict(system, ds, torch.device("cpu"), batch)
    return batched_scores(probs, targets, batch)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pred-dir", type=Path)
    parser.add_argument("--data-root", type=Path, help="Single-source or Multi-sources folder (with the meta CSV)")
    parser.add_argument("--setting", choices=("s4", "ms3"))
    parser.add_argument("--run-dir", type=Path)
    parser.add_argument("--checkpoint", choices=("best", "last"), default="best")
    parser.add_argument("--split", default="test")
    parser.add_argument("--clips-per-batch", type=int, default=4, help="the original test.sh scores 4 clips a batch")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.run_dir is not None:
        scores = evaluate_run(args.run_dir, args.split, args.checkpoint)
    elif args.pred_dir is not None and args.data_root is not None and args.setting is not None:
        probs, targets = load_pairs(args.pred_dir, args.data_root, args.setting, args.split)
        scores = {**batched_scores(probs, targets, args.clips_per_batch), "clips": len(probs)}
    else:
        parser.error("give --pred-dir with --data-root and --setting, or --run-dir")
    text = json.dumps(scores, indent=2)
    print(text)
    if args.out is not None:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
