"""Frames with the predicted mask overlaid, side by side with the ground truth.

    python -m avsbench.visualize --pred-dir P --gt-dir G --frames-dir F --out DIR [--max-clips 8]
P and G as for avsbench.evaluate; F: the visual_frames folder of the same split (S4:
visual_frames/{split}, MS3: visual_frames). Writes DIR/<clip path>/<name>_<k>.png: [prediction (red) | ground truth (green)].
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image

PRED_COLOUR = np.array([255, 40, 40], dtype=np.float32)
GT_COLOUR = np.array([40, 220, 40], dtype=np.float32)


def overlay(frame: np.ndarray, mask: np.ndarray, colour: np.ndarray, alpha: float = 0.5) -> np.ndarray:
    """frame (H, W, 3) uint8, mask (H, W) in [0, 1] -> blended uint8."""
    m = (mask > 0.5)[..., None].astype(np.float32) * alpha
    return (frame.astype(np.float32) * (1 - m) + colour * m).astype(np.uint8)


def side_by_side(frame: np.ndarray, pred: np.ndarray, gt: np.ndarray, scale: int = 1) -> Image.Image:
    gap = np.full((frame.shape[0], 4, 3), 255, dtype=np.uint8)
    img = Image.fromarray(np.concatenate([overlay(frame, pred, PRED_COLOUR), gap, overlay(frame, gt, GT_COLOUR)], 1))
    return img.resize((img.width * scale, img.height * scale), Image.NEAREST) if scale > 1 else img


def _frame_file(frames_dir: Path, rel: Path, name: str, k: int) -> Path:
    for candidate in (frames_dir / rel / f"{name}_{k}.png", frames_dir / rel / f"{name}.mp4_{k}.png"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"{frames_dir / rel}: no frame {name}_{k}.png or {name}.mp4_{k}.png")


def _read(path: Path, mode: str, size: tuple[int, int] | None = None) -> np.ndarray:
    img = Image.open(path).convert(mode)
    if size is not None and img.size != size:
        img = img.resize(size, Image.NEAREST if mode == "L" else Image.BILINEAR)
    return np.asarray(img)


def visualize(pred_dir: Path, gt_dir: Path, frames_dir: Path, out: Path, max_clips: int | None = None,
              scale: int = 1) -> list[Path]:
    written = []
    folders = sorted({p.parent for p in gt_dir.rglob("*.png")})[:max_clips]
    for folder in folders:
        rel = folder.relative_to(gt_dir)
        for gt_path in sorted(folder.glob("*.png")):
            name, _, k = gt_path.stem.rpartition("_")
            gt = _read(gt_path, "L") / 255.0
            size = (gt.shape[1], gt.shape[0])
            pred = _read(pred_dir / rel / f"{name}_{int(k) - 1}.png", "L", size) / 255.0
            frame = _read(_frame_file(frames_dir, rel, name, int(k)), "RGB", size)
            target = out / rel / gt_path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            side_by_side(frame, pred, gt, scale).save(target)
            written.append(target)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pred-dir", type=Path, required=True)
    parser.add_argument("--gt-dir", type=Path, required=True)
    parser.add_argument("--frames-dir", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--max-clips", type=int, default=None)
    parser.add_argument("--scale", type=int, default=1, help="enlarge the written images (nearest neighbour)")
    args = parser.parse_args(argv)
    written = visualize(args.pred_dir, args.gt_dir, args.frames_dir, args.out, args.max_clips, args.scale)
    print(f"wrote {len(written)} images under {args.out}")


if __name__ == "__main__":
    main()
