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
import torch

from video_linear.config import VideoConfig

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


def write_video(path: Path, video: np.ndarray, fps: int = 30, codec: str = "mpeg4") -> None:
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=fps)
        stream.width, stream.height = video.shape[2], video.shape[1]
        stream.pix_fmt = "yuv420p"
        stream.options = {"qscale": "2"} if codec == "mpeg4" else {}
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


def example_loss(model: torch.nn.Module, cfg: VideoConfig, device: torch.device) -> torch.Tensor:
    """The training loss of `cfg` (model in train mode) on two random clips at the config's frames and size."""
    from video_linear.train import training_loss  # train imports the readers; only this function needs it

    m = cfg.model
    g = torch.Generator().manual_seed(0)
    clips = torch.randn(2, 3, m.num_frames, m.img_size, m.img_size, generator=g).to(device)
    if cfg.multi_label:
        labels = (torch.rand(2, m.num_classes, generator=g) < 0.05).float().to(device)
    else:
        labels = torch.tensor([0, m.num_classes - 1]).to(device)
    model.train()
    return training_loss(model, cfg, clips, labels)[0]


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


# --- the paper datasets' on-disk layouts, filled with generated content (the dryrun profile) ---------------

def _noise_video(rng: np.random.Generator, frames: int, height: int, width: int) -> np.ndarray:
    """uint8 (frames, height, width, 3): a blocky random texture drifting right (content is irrelevant)."""
    texture = rng.integers(0, 256, size=(height // 8 + 1, width // 8 + 2, 3)).repeat(8, 0).repeat(8, 1)
    return np.stack([np.roll(texture, t, axis=1)[:height, :width] for t in range(frames)]).astype(np.uint8)


def write_kinetics_layout(root: Path, counts: dict[str, int], num_classes: int, frames: int = 64,
                          height: int = 256, width: int = 340, seed: int = 0) -> Path:
    """`ROOT/{split}.csv` (`path label`) + MPEG-4 videos at the 256-short-side re-encode size the original reads."""
    rng = np.random.default_rng(seed)
    (root / "videos").mkdir(parents=True, exist_ok=True)
    for split, count in counts.items():
        lines = []
        for i in range(count):
            rel = f"videos/{split}_{i:04d}.mp4"
            write_video(root / rel, _noise_video(rng, frames, height, width))
            lines.append(f"{rel} {int(rng.integers(num_classes))}")
        (root / f"{split}.csv").write_text("\n".join(lines) + "\n")
    return root


def write_ssv2_layout(root: Path, counts: dict[str, int], num_classes: int = 174, frames: int = 48,
                      height: int = 240, width: int = 320, seed: int = 0) -> Path:
    """`ROOT/{train,val}_videofolder.txt` (`video_id num_frames label`) + `ROOT/videos/<id>.webm` (VP9, 12 fps)."""
    rng = np.random.default_rng(seed)
    (root / "videos").mkdir(parents=True, exist_ok=True)
    next_id = 1
    for split in ("train", "val"):
        lines = []
        for _ in range(counts[split]):
            video = _noise_video(rng, frames, height, width)
            write_video(root / "videos" / f"{next_id}.webm", video, fps=12, codec="libvpx-vp9")
            lines.append(f"{next_id} {frames} {int(rng.integers(num_classes))}")
            next_id += 1
        (root / f"{split}_videofolder.txt").write_text("\n".join(lines) + "\n")
    return root


def write_charades_layout(root: Path, counts: dict[str, int], num_classes: int = 157, frames: int = 140,
                          height: int = 256, width: int = 340, seed: int = 0) -> Path:
    """`ROOT/{train,val}.csv` frame lists (`original_vido_id video_id frame_id path labels`) + JPEG frames
    `ROOT/Charades_v1_rgb/<vid>/<vid>-%06d.jpg`, as the original's Charades reader takes them."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    index = 0
    for split in ("train", "val"):
        lines = ["original_vido_id video_id frame_id path labels"]
        for _ in range(counts[split]):
            vid = f"GEN{index:02d}"
            folder = root / "Charades_v1_rgb" / vid
            folder.mkdir(parents=True, exist_ok=True)
            video = _noise_video(rng, frames, height, width)
            action = rng.choice(num_classes, size=2, replace=False)
            for f in range(frames):
                name = f"{vid}-{f + 1:06d}.jpg"
                Image.fromarray(video[f]).save(folder / name, quality=80)
                labels = ",".join(str(a) for a in action[: 1 + (f >= frames // 2)])
                lines.append(f'{vid} {index} {f} Charades_v1_rgb/{vid}/{name} "{labels}"')
            index += 1
        (root / f"{split}.csv").write_text("\n".join(lines) + "\n")
    return root
