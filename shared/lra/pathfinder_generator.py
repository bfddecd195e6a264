"""Pathfinder-style contour images in the lra_release layout, with the published difficulty knobs.

    python -m shared.lra.pathfinder_generator OUT_ROOT --resolution 32 --difficulty curv_contour_length_14 \
        --num-images 100 [--batch-id 0 --seed 0]
writes OUT_ROOT/<difficulty>/imgs/<batch>/sample_<i>.png and OUT_ROOT/<difficulty>/metadata/<batch>.npy
(a text file, as in the release) with rows `imgs/<batch> sample_<i>.png <i> <label> <continuity>
<contour_length> <distractor_length> <paddle_length> <paddle_thickness> <margin> <n_paddle_contrasts>`,
the columns of snakes2.py's accumulate_meta (drewlinsley/pathfinder).

Knobs and presets are those LRA lists in lra_benchmarks/data/pathfinder.py (32 and 128) and the
snakes2 wrapper's difficulty levels: contour length 6 (curv_baseline), 9, 14, with distractor
length = contour_length // 3. The drawing is a simplified re-implementation, not snakes2: a snake
is a chain of short bars ("paddles") separated by `margin`, each turned from the previous one by
at most `continuity` x 30 degrees (more only where a border forces it); two target snakes start `seed_distance` apart; a positive image
puts both circular markers on the ends of one snake, a negative one puts one marker on each snake.
Distractor snakes are shorter. Snakes may touch (snakes2 avoids that with dilation masks), so the
images are for tests and smoke runs, not for reproducing the benchmark's numbers.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from PIL import Image

CONTOUR_LENGTHS = {"curv_baseline": 6, "curv_contour_length_9": 9, "curv_contour_length_14": 14}


@dataclass(frozen=True)
class PathfinderKnobs:
    resolution: int = 32
    contour_length: int = 14
    paddle_length: float = 2.0
    paddle_thickness: float = 0.5
    paddle_margin: float = 1.0
    continuity: float = 1.0
    seed_distance: float = 7.0
    marker_radius: float = 1.5
    antialias_scale: int = 2
    padding: float = 1.0
    distractor_length: int = 4
    num_distractor_snakes: int = 5
    snake_contrast: float = 2.0
    paddle_contrast: float = 0.75


def preset(resolution: int, difficulty: str) -> PathfinderKnobs:
    """LRA's settings for pathfinder32 / pathfinder128 at one difficulty level."""
    length = CONTOUR_LENGTHS[difficulty]
    distractor = max(length // 3, 1)
    if resolution == 32:
        return PathfinderKnobs(32, length, 2.0, 0.5, 1.0, 1.0, 7.0, 1.5, 2, 1.0, distractor, 20 // distractor, 2.0, 0.75)
    if resolution == 128:
        return PathfinderKnobs(128, length, 5.0, 1.5, 2.5, 1.8, 20.0, 3.0, 2, 1.0, distractor, int(35 / distractor), 0.9, 1.0)
    raise ValueError(f"no Pathfinder preset for resolution {resolution}; LRA's are 32 and 128 (64 and 256 unused)")


def _snake(rng: np.random.Generator, start: np.ndarray, heading: float, k: PathfinderKnobs, n: int, s: int) -> list:
    """Paddle segments (x0, y0, x1, y1) in the upscaled canvas, or [] if the snake left the canvas."""
    size, pad = k.resolution * s, k.padding * s
    segments, point = [], start.astype(float)
    for _ in range(n):
        for retry in range(12):
            # near a border the allowed turn widens step by step, so the snake bends away instead of dying
            limit = min(30.0 * k.continuity * (1 + retry), 180.0)
            turn = math.radians(limit) * rng.uniform(-1, 1)
            direction = heading + turn
            step = np.array([math.cos(direction), math.sin(direction)])
            end = point + step * k.paddle_length * s
            if np.all(end >= pad) and np.all(end <= size - pad):
                break
        else:
            return []
        segments.append((*point, *end))
        point, heading = end + step * k.paddle_margin * s, direction
    return segments


def _draw_segments(canvas: np.ndarray, segments: list, thickness: float, value: float) -> None:
    ys, xs = np.mgrid[0 : canvas.shape[0], 0 : canvas.shape[1]] + 0.5
    for x0, y0, x1, y1 in segments:
        dx, dy = x1 - x0, y1 - y0
        t = np.clip(((xs - x0) * dx + (ys - y0) * dy) / max(dx * dx + dy * dy, 1e-9), 0, 1)
        dist = np.hypot(xs - (x0 + t * dx), ys - (y0 + t * dy))
        canvas[dist <= max(thickness / 2, 0.5)] = np.maximum(canvas[dist <= max(thickness / 2, 0.5)], value)


def _draw_disc(canvas: np.ndarray, center: np.ndarray, radius: float, value: float) -> None:
    ys, xs = np.mgrid[0 : canvas.shape[0], 0 : canvas.shape[1]] + 0.5
    inside = np.hypot(xs - center[0], ys - center[1]) <= radius
    canvas[inside] = np.maximum(canvas[inside], value)


def draw_image(rng: np.random.Generator, k: PathfinderKnobs, positive: bool) -> np.ndarray:
    """One uint8 (resolution, resolution) image; label 1 = the markers lie on one snake."""
    s = k.antialias_scale
    size = k.resolution * s
    for _attempt in range(200):
        first = rng.uniform(k.padding * s + size * 0.2, size * 0.8 - k.padding * s, size=2)
        angle = rng.uniform(0, 2 * math.pi)
        second = first + k.seed_distance * s * np.array([math.cos(angle), math.sin(angle)])
        snakes = [_snake(rng, p, rng.uniform(0, 2 * math.pi), k, k.contour_length, s) for p in (first, second)]
        if all(snakes):
            break
    else:
        raise RuntimeError(f"could not place two snakes of length {k.contour_length} in {k.resolution}x{k.resolution}")
    canvas = np.zeros((size, size), dtype=np.float32)
    value = min(k.snake_contrast * k.paddle_contrast, 1.0)
    for snake in snakes:
        _draw_segments(canvas, snake, k.paddle_thickness * s, value)
    for _ in range(k.num_distractor_snakes):
        start = rng.uniform(k.padding * s, size - k.padding * s, size=2)
        distractor = _snake(rng, start, rng.uniform(0, 2 * math.pi), k, k.distractor_length, s)
        _draw_segments(canvas, distractor, k.paddle_thickness * s, value)
    head = np.array(snakes[0][0][:2])
    tail = np.array(snakes[0][-1][2:]) if positive else np.array(snakes[1][-1][2:])
    for marker in (head, tail):
        _draw_disc(canvas, marker, k.marker_radius * s, 1.0)
    small = canvas.reshape(k.resolution, s, k.resolution, s).mean(axis=(1, 3))  # antialias by block averaging
    return np.clip(small * 255.0 + 0.5, 0, 255).astype(np.uint8)


def generate_pathfinder(
    root: str | Path,
    num_images: int,
    resolution: int = 32,
    difficulty: str = "curv_contour_length_14",
    batch_id: int = 0,
    seed: int = 0,
    knobs: PathfinderKnobs | None = None,
) -> Path:
    """Write one batch (`imgs/<batch_id>/`, `metadata/<batch_id>.npy`); returns the metadata file."""
    k = knobs or preset(resolution, difficulty)
    k = replace(k, resolution=resolution)
    rng = np.random.default_rng(seed)
    base = Path(root) / difficulty
    folder = f"imgs/{batch_id}"
    (base / folder).mkdir(parents=True, exist_ok=True)
    (base / "metadata").mkdir(parents=True, exist_ok=True)
    lines = []
    for i in range(num_images):
        label = int(rng.integers(0, 2))  # snakes2 draws the label uniformly per image
        Image.fromarray(draw_image(rng, k, bool(label)), mode="L").save(base / folder / f"sample_{i}.png")
        lines.append(f"{folder} sample_{i}.png {i} {label} {k.continuity} {k.contour_length} {k.distractor_length} "
                     f"{k.paddle_length} {k.paddle_thickness} {k.paddle_margin} 1")
    meta = base / "metadata" / f"{batch_id}.npy"
    meta.write_text("".join(line + "\n" for line in lines))
    return meta


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("root", type=Path, help="e.g. data/lra_release/pathfinder32")
    p.add_argument("--resolution", type=int, default=32)
    p.add_argument("--difficulty", choices=tuple(CONTOUR_LENGTHS), default="curv_contour_length_14")
    p.add_argument("--num-images", type=int, default=100)
    p.add_argument("--batch-id", type=int, default=0)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    print(generate_pathfinder(a.root, a.num_images, a.resolution, a.difficulty, a.batch_id, a.seed))


if __name__ == "__main__":
    main()
