"""A generated FAVDBench-layout dataset: a coloured shape moving over a background, with a sound playing.

Each clip gets a templated paragraph in the benchmark's shape (caption, visual details, audio sentence):
    "a red circle moves left. the circle is red. the background is gray. a high whistle is playing."
Written exactly as the real data is laid out (favd.data), so the smoke run reads it through the real reader.
"""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import av
import h5py
import numpy as np
import torch
from PIL import Image, ImageDraw

COLORS = {"red": (220, 30, 30), "green": (30, 200, 30), "blue": (30, 60, 230), "yellow": (230, 220, 20)}
SHAPES = ("circle", "square", "triangle")
MOTIONS = {"left": (-1, 0), "right": (1, 0), "up": (0, -1), "down": (0, 1)}
BACKGROUNDS = {"gray": (110, 110, 110), "white": (235, 235, 235), "black": (15, 15, 15)}
# sound -> (frequency in Hz, 0 for noise; the audio sentence)
SOUNDS = {"hum": (220.0, "a low hum is playing"), "whistle": (880.0, "a high whistle is playing"),
          "noise": (0.0, "a loud noise is playing")}
NOUNS = ("circle", "square", "triangle", "background", "hum", "whistle", "noise")
SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")


def describe(color: str, shape: str, motion: str, background: str, sound: str) -> str:
    return (f"a {color} {shape} moves {motion}. the {shape} is {color}. "
            f"the background is {background}. {SOUNDS[sound][1]}.")


def vocabulary(size: int = 0) -> list[str]:
    """The generator's words after the special tokens; with `size`, filled up to that many entries with
    placeholders (`[unused0]`, ... as BERT's vocab.txt has), so the vocabulary has the paper's size."""
    words = {".", "a", "moves", "the", "is", "background", "playing", "low", "high", "loud"}
    words |= set(COLORS) | set(SHAPES) | set(MOTIONS) | set(BACKGROUNDS) | set(SOUNDS)
    vocab = [*SPECIAL_TOKENS, *sorted(words)]
    return vocab + [f"[unused{i}]" for i in range(max(0, size - len(vocab)))]


def write_vocab(path: str | Path, size: int = 0) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(vocabulary(size)) + "\n")
    return path


def draw_frames(color: str, shape: str, motion: str, background: str, num_frames: int, size: int,
                rng: random.Random) -> list[Image.Image]:
    r = size // 5
    dx, dy = MOTIONS[motion]
    x0, y0 = size / 2 - dx * size / 4 + rng.uniform(-2, 2), size / 2 - dy * size / 4 + rng.uniform(-2, 2)
    frames = []
    for t in range(num_frames):
        x = x0 + dx * (size / 2) * t / max(num_frames - 1, 1)
        y = y0 + dy * (size / 2) * t / max(num_frames - 1, 1)
        img = Image.new("RGB", (size, size), BACKGROUNDS[background])
        d = ImageDraw.Draw(img)
        box = (x - r, y - r, x + r, y + r)
        if shape == "circle":
            d.ellipse(box, fill=COLORS[color])
        elif shape == "square":
            d.rectangle(box, fill=COLORS[color])
        else:
            d.polygon([(x, y - r), (x - r, y + r), (x + r, y + r)], fill=COLORS[color])
        frames.append(img)
    return frames


def sound_wave(sound: str, seconds: float, sample_rate: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    freq = SOUNDS[sound][0]
    if freq == 0.0:
        return (0.3 * rng.standard_normal(t.shape)).astype(np.float32)
    return (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def encode_mp3(wave: np.ndarray, sample_rate: int) -> bytes:
    buf = io.BytesIO()
    with av.open(buf, "w", format="mp3") as out:
        stream = out.add_stream("libmp3lame", rate=sample_rate, layout="mono")
        frame = av.AudioFrame.from_ndarray(wave[None].astype(np.float32), format="flt", layout="mono")
        frame.sample_rate = sample_rate
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buf.getvalue()


def generate_split(root: str | Path, split: str, num_clips: int, num_frames: int, size: int, sample_rate: int,
                   seconds: float, seed: int) -> list[str]:
    root = Path(root)
    rng, nrng = random.Random(seed), np.random.default_rng(seed)
    frame_dir = root / "frames" / f"{split}-{num_frames}frames"
    frame_dir.mkdir(parents=True, exist_ok=True)
    (root / "metadata").mkdir(parents=True, exist_ok=True)
    (root / "audio_hdf").mkdir(parents=True, exist_ok=True)
    rows, names, mp3s, coco = [], [], [], []
    for i in range(num_clips):
        slots = (rng.choice(list(COLORS)), rng.choice(SHAPES), rng.choice(list(MOTIONS)), rng.choice(list(BACKGROUNDS)),
                 rng.choice(list(SOUNDS)))
        vid = f"{split}_{i:05d}"
        for t, img in enumerate(draw_frames(*slots[:4], num_frames, size, rng), 1):
            img.save(frame_dir / f"{vid}_frame{t:04d}.jpg", quality=95)
        text = describe(*slots)
        rows.append(f"{split}/{vid}.mp4\t{json.dumps([{'caption': text}])}")
        coco.append({"image_id": vid, "caption": text, "id": i})
        names.append(vid)
        mp3s.append(np.frombuffer(encode_mp3(sound_wave(slots[4], seconds, sample_rate, nrng), sample_rate), np.uint8))
    (root / "metadata" / f"{split}.caption.tsv").write_text("\n".join(rows) + "\n")
    (root / "metadata" / f"{split}.caption_coco_format.json").write_text(json.dumps(
        {"images": [{"id": n} for n in names], "annotations": coco, "type": "captions"}))
    with h5py.File(root / "audio_hdf" / f"{split}_mp3.hdf", "w") as f:
        f.create_dataset("audio_name", data=np.array(names, dtype=object), dtype=h5py.string_dtype())
        data = f.create_dataset("mp3", shape=(len(mp3s),), dtype=h5py.vlen_dtype(np.uint8))
        for i, a in enumerate(mp3s):
            data[i] = a
    return names


def generate_dataset(root: str | Path, num_train: int, num_test: int, num_frames: int = 4, size: int = 32,
                     sample_rate: int = 8000, seconds: float = 0.5, seed: int = 0, vocab_size: int = 0,
                     vocab_file: str | Path | None = None) -> Path:
    root = Path(root)
    generate_split(root, "train", num_train, num_frames, size, sample_rate, seconds, seed)
    generate_split(root, "test", num_test, num_frames, size, sample_rate, seconds, seed + 1)
    write_vocab(vocab_file or root / "vocab.txt", vocab_size)
    return root


def example_batch(cfg, device: torch.device, batch: int = 1) -> dict[str, torch.Tensor]:
    """One training batch at the config's shapes (frames, waveform, tensorized text), every tensor on `device`."""
    d, m = cfg.data, cfg.model
    n, media = d.max_seq_length, m.max_img_seq_length
    seq = min(n, 12)  # [CLS] + words + [SEP]; the rest is padding
    input_ids = torch.zeros(batch, n, dtype=torch.long, device=device)
    input_ids[:, :seq] = torch.randint(5, m.bert.vocab_size, (batch, seq), device=device)
    causal = torch.tril(torch.ones(seq, seq, dtype=torch.long, device=device))
    mask = torch.zeros(batch, n + media, n + media, dtype=torch.long, device=device)
    mask[:, :seq, :seq] = causal
    mask[:, :seq, n:] = 1
    mask[:, n:, n:] = 1
    masked_pos = torch.zeros(batch, n, dtype=torch.long, device=device)
    masked_pos[:, 1:4] = 1
    masked_ids = torch.full((batch, d.max_masked_tokens), -1, dtype=torch.long, device=device)
    masked_ids[:, :3] = input_ids[:, 1:4]
    output_ids = torch.zeros(batch, n, dtype=torch.long, device=device)
    output_ids[:, : seq - 1] = input_ids[:, 1:seq]
    return {
        "input_ids": input_ids, "attention_mask": mask, "masked_pos": masked_pos, "masked_ids": masked_ids,
        "output_token_ids": output_ids, "token_type_ids": torch.zeros(batch, n, dtype=torch.long, device=device),
        "frames": torch.randn(batch, d.num_frames, 3, d.img_res, d.img_res, device=device),
        "audio": torch.randn(batch, 1, int(m.audio.sample_rate * d.clip_seconds), device=device) * 0.1,
    }


def example_loss(model, cfg, device: torch.device) -> torch.Tensor:
    """The training loss (0.1 LM + 0.9 MLM + 0.5 sparsity) on one generated batch at the config's shapes."""
    model.train()
    loss, _ = model.loss(example_batch(cfg, device))
    return loss
