"""A generated AVSBench-object dataset in the official layout, for tests and the smoke profile.

Each clip shows two coloured shapes drifting over a noisy background; only one of them "sounds":
the WAV holds the tone of its colour (red 440 Hz, green 1320 Hz, blue 2960 Hz). The ground-truth
mask is the sounding shape, so a model can only find it by listening.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import soundfile
from PIL import Image, ImageDraw

from avsbench.data import NUM_FRAMES, Clip, audio_path, data_dir, frame_path, mask_path, meta_csv
from avsbench.prepare import write_log_mels

SOURCES = {"red": ((220, 40, 40), 440.0), "green": ((40, 200, 60), 1320.0), "blue": ((50, 80, 230), 2960.0)}
SAMPLE_RATE = 16000


def _draw(size: int, objects: list[tuple[str, tuple[float, float], float]], rng: np.random.Generator):
    """RGB frame and one mask per object; objects: (colour, centre, radius)."""
    bg = np.clip(110 + 25 * rng.standard_normal((size, size, 3)), 0, 255).astype(np.uint8)
    img = Image.fromarray(bg)
    draw = ImageDraw.Draw(img)
    masks = []
    for colour, (cx, cy), r in objects:
        box = (cx - r, cy - r, cx + r, cy + r)
        m = Image.new("L", (size, size), 0)
        mdraw = ImageDraw.Draw(m)
        if colour == "green":
            draw.rectangle(box, fill=SOURCES[colour][0])
            mdraw.rectangle(box, fill=255)
        else:
            draw.ellipse(box, fill=SOURCES[colour][0])
            mdraw.ellipse(box, fill=255)
        masks.append(m)
    return img, masks


def _tone(freq: float, seconds: float, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    wave = 0.5 * np.sin(2 * np.pi * freq * t) + 0.02 * rng.standard_normal(t.size)
    return (np.clip(wave, -1, 1) * 32767).astype(np.int16)


def generate(root: str | Path, setting: str = "s4", num_clips: dict[str, int] | None = None, image_size: int = 64,
             seed: int = 0) -> Path:
    """Write the dataset under `root` (the folder holding the meta CSV) and its log-mel pickles; returns root."""
    root = Path(root)
    num_clips = num_clips or {"train": 48, "val": 8, "test": 16}
    rng = np.random.default_rng(seed)
    rows = []
    colours = list(SOURCES)
    for split, n in num_clips.items():
        for i in range(n):
            pair = rng.choice(len(colours), size=2, replace=False)
            sounding = colours[pair[0]]
            name = f"{split}{i:04d}_{sounding}"
            clip = Clip(name, sounding if setting == "s4" else "", split)
            rows.append([name, 0, sounding, split])
            r = image_size * rng.uniform(0.12, 0.18, size=2)
            # the two shapes sit in opposite halves, so they never overlap
            left = rng.random() < 0.5
            xs = [image_size * (0.27 if left else 0.73), image_size * (0.73 if left else 0.27)]
            ys = image_size * rng.uniform(0.3, 0.7, size=2)
            drift = rng.uniform(-1.5, 1.5, size=(2, 2))
            for k in range(1, NUM_FRAMES + 1):
                objects = [(colours[pair[j]], (xs[j] + drift[j, 0] * k, ys[j] + drift[j, 1] * k), r[j]) for j in range(2)]
                img, masks = _draw(image_size, objects, rng)
                fp = frame_path(root, setting, clip, k)
                fp.parent.mkdir(parents=True, exist_ok=True)
                img.save(fp)
                if split != "train" or setting == "ms3" or k == 1:
                    mp = mask_path(root, setting, clip, k)
                    mp.parent.mkdir(parents=True, exist_ok=True)
                    masks[0].save(mp)
            wav = audio_path(root, setting, clip, "audio_wav")
            wav.parent.mkdir(parents=True, exist_ok=True)
            soundfile.write(wav, _tone(SOURCES[sounding][1], NUM_FRAMES, rng), SAMPLE_RATE, subtype="PCM_16")
    data_dir(root, setting).mkdir(parents=True, exist_ok=True)
    with meta_csv(root, setting).open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["name", "start", "category", "split"] if setting == "s4" else ["name", "start", "a_obj", "split"])
        writer.writerows(rows)
    write_log_mels(root, setting)
    return root
