"""Generated videos in the Kinetics layout whose class is the motion direction of a shape.

Each video shows a bright square of random colour and size over a blocky random texture; square and
texture move together right, left, down or up (classes 0..3) at a random speed, wrapping around the
frame edges. Any single frame is a square on a texture: the class can only be read from motion, which
every token sees locally (so the signal survives the model's mean pooling). Written as MPEG-4 files plus
`train.csv` / `val.csv` / `test.csv` (`path label`), read back through `video_linear.data`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import av
import numpy as np

DIRECTIONS = ((0, 1), (0, -1), (1, 0), (-1, 0))  # (dy, dx): right, left, down, up


def render(rng: np.random.Generator, label: int, frames: int, size: int) -> np.ndarray:
    """uint8 (frames, size, size, 3): a square on a blocky random texture, both moving one way."""
    dy, dx = DIRECTIONS[label]
    speed = float(rng.uniform(1.0, 2.0))  # pixels per frame
    block = int(rng.integers(3, 6))
    cells = -(-size // block) + 1
    texture = rng.integers(0, 120, size=(cells, cells, 3)).repeat(block, 0).repeat(block, 1)[:size, :size]
    side = int(rng.integers(size // 5, size // 3 + 1))
    colour = rng.integers(150, 256, size=3)
    y0, x0 = rng.uniform(0, size - side, size=2)
    video = np.empty((frames, size, size, 3), dtype=np.uint8)
    for t in range(frames):
        shift_y, shift_x = int(round(dy * speed * t)), int(round(dx * speed * t))
        video[t] = np.roll(texture, (shift_y, shift_x), axis=(0, 1))  # the scene pans, wrapping around
        y, x = int(y0 + shift_y) % (size - side), int(x0 + shift_x) % (size - side)
        video[t, y:y + side, x:x + side] = colour
    return video


def write_video(path: Path, video: np.ndarray, fps: int = 30) -> None:
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=fps)
        stream.width, stream.height = video.shape[2], video.shape[1]
        stream.pix_fmt = "yuv420p"
        stream.options = {"qscale": "2"}
        for frame in video:
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def generate(root: Path, counts: dict[str, int], frames: int = 24, size: int = 32, seed: int = 0) -> Path:
    """Write `counts[split]` videos per split (classes balanced) under `root`; returns `root`."""
    rng = np.random.default_rng(seed)
    (root / "videos").mkdir(parents=True, exist_ok=True)
    for split, count in counts.items():
        lines = []
        for i in range(count):
            label = i % len(DIRECTIONS)
            rel = f"videos/{split}_{i:04d}.mp4"
            write_video(root / rel, render(rng, label, frames, size))
            lines.append(f"{rel} {label}")
        (root / f"{split}.csv").write_text("\n".join(lines) + "\n")
    return root


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--train", type=int, default=160)
    parser.add_argument("--val", type=int, default=32)
    parser.add_argument("--test", type=int, default=40)
    args = parser.parse_args(argv)
    generate(args.root, {"train": args.train, "val": args.val, "test": args.test})
    print(f"wrote generated videos to {args.root}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
