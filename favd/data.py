"""Readers for the FAVDBench layout (as the original AVLFormer reads it).

    <root>/metadata/<split>.caption.tsv            "<split>/<vid>.mp4<TAB>[{"caption": "..."}]"  one row per clip
    <root>/frames/<split>-<F>frames/<vid>_frame0001.jpg ... <vid>_frame<F>.jpg   frames sampled uniformly
    <root>/audio_hdf/<split>_mp3.hdf               datasets `audio_name` (vid) and `mp3` (encoded bytes, uint8)

A description is one paragraph: a caption sentence, visual-detail sentences, then 1-2 audio sentences.
Chinese annotations use the same layout with another caption file (`caption_file` pattern).
"""

from __future__ import annotations

import io
import json
import random
from dataclasses import dataclass
from pathlib import Path

import av
import h5py
import numpy as np
import torch
from PIL import Image

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class DataError(ValueError):
    """A file of the dataset that is missing or not in the expected format."""


@dataclass
class Clip:
    key: str  # "<split>/<vid>.mp4" as in the TSV
    vid: str
    caption: str


def read_caption_tsv(path: str | Path) -> list[Clip]:
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: caption file not found (expected <root>/metadata/<split>.caption.tsv)")
    clips = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) < 2:
            raise DataError(f"{path}:{n}: expected '<split>/<vid>.mp4<TAB>[{{\"caption\": ...}}]', got {line[:80]!r}")
        try:
            caps = json.loads(parts[1])
            caption = caps[0]["caption"]
        except (json.JSONDecodeError, KeyError, IndexError, TypeError) as err:
            raise DataError(f"{path}:{n}: field 2 must be a JSON list of {{\"caption\": str}} ({err})") from err
        vid = Path(parts[0]).stem
        clips.append(Clip(parts[0], vid, caption))
    if not clips:
        raise DataError(f"{path}: no rows")
    return clips


def read_coco_captions(path: str | Path) -> dict[str, list[str]]:
    """image_id -> captions, from a COCO annotation file ({"annotations": [...]}) or a result list."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: file not found (expected a COCO-format caption JSON)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise DataError(f"{path}: not valid JSON ({err})") from err
    items = data["annotations"] if isinstance(data, dict) and "annotations" in data else data
    if not isinstance(items, list):
        raise DataError(f"{path}: expected a list of {{image_id, caption}} or a dict with 'annotations'")
    out: dict[str, list[str]] = {}
    for i, item in enumerate(items):
        if not isinstance(item, dict) or "image_id" not in item or "caption" not in item:
            raise DataError(f"{path}: entry {i} lacks 'image_id' or 'caption'")
        out.setdefault(str(item["image_id"]), []).append(str(item["caption"]))
    return out


def decode_audio(encoded: bytes, where: str) -> np.ndarray:
    """Decode an mp3 (or any container PyAV reads) to mono float32 samples."""
    try:
        with av.open(io.BytesIO(encoded)) as container:
            stream = next(s for s in container.streams if s.type == "audio")
            chunks = [frame.to_ndarray().reshape(-1) for packet in container.demux(stream) for frame in packet.decode()]
    except (av.error.FFmpegError, StopIteration) as err:
        raise DataError(f"{where}: cannot decode audio ({err})") from err
    return np.concatenate(chunks).astype(np.float32)


def pad_or_truncate(x: np.ndarray, length: int) -> np.ndarray:
    if len(x) <= length:
        return np.concatenate([x, np.zeros(length - len(x), dtype=np.float32)])
    return x[:length]


class AudioArchive:
    """The `audio_hdf/<split>_mp3.hdf` archive, read into memory once and opened lazily (fork-safe)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise DataError(f"{self.path}: audio archive not found (expected <root>/audio_hdf/<split>_mp3.hdf)")
        self._bytes = self.path.read_bytes()
        self._file = None
        self._index: dict[str, int] | None = None

    def _open(self) -> h5py.File:
        if self._file is None:
            self._file = h5py.File(io.BytesIO(self._bytes), "r")
            for name in ("audio_name", "mp3"):
                if name not in self._file:
                    raise DataError(f"{self.path}: missing dataset {name!r} (expected 'audio_name' and 'mp3')")
            names = [n.decode() if isinstance(n, bytes) else str(n) for n in self._file["audio_name"][:]]
            self._index = {n: i for i, n in enumerate(names)}
        return self._file

    def waveform(self, vid: str) -> np.ndarray:
        f = self._open()
        if vid not in self._index:
            raise DataError(f"{self.path}: no audio named {vid!r} in 'audio_name'")
        return decode_audio(f["mp3"][self._index[vid]].tobytes(), f"{self.path}[{vid}]")

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_file": None}


def load_frames(folder: Path, vid: str, num_frames: int, img_res: int) -> torch.Tensor:
    """(num_frames, 3, img_res, img_res): shorter side resized, centre crop, ImageNet normalisation."""
    frames = []
    for i in range(1, num_frames + 1):
        path = folder / f"{vid}_frame{i:04d}.jpg"
        if not path.is_file():
            raise DataError(f"{path}: frame not found (expected {num_frames} frames <vid>_frame0001.jpg ...)")
        img = Image.open(path).convert("RGB")
        w, h = img.size
        scale = img_res / min(w, h)
        img = img.resize((max(img_res, round(w * scale)), max(img_res, round(h * scale))), Image.BILINEAR)
        w, h = img.size
        left, top = (w - img_res) // 2, (h - img_res) // 2
        img = img.crop((left, top, left + img_res, top + img_res))
        frames.append(torch.from_numpy(np.asarray(img, dtype=np.float32) / 255.0).permute(2, 0, 1))
    x = torch.stack(frames)
    mean, std = torch.tensor(IMAGENET_MEAN)[:, None, None], torch.tensor(IMAGENET_STD)[:, None, None]
    return (x - mean) / std


class FAVDDataset(torch.utils.data.Dataset):
    """One item per clip: frames, waveform and the tensorized description (see favd.tensorize)."""

    def __init__(self, root: str | Path, split: str, tensorizer, num_frames: int = 32, img_res: int = 224,
                 sample_rate: int = 32000, clip_seconds: float = 10.0, training: bool = True,
                 caption_file: str = "{split}.caption.tsv", seed: int = 0, cache: bool = False) -> None:
        self.root = Path(root)
        self.split = split
        self.clips = read_caption_tsv(self.root / "metadata" / caption_file.format(split=split))
        self.frame_dir = self.root / "frames" / f"{split}-{num_frames}frames"
        if not self.frame_dir.is_dir():
            raise DataError(f"{self.frame_dir}: frame folder not found (expected <root>/frames/<split>-<F>frames)")
        self.audio = AudioArchive(self.root / "audio_hdf" / f"{split}_mp3.hdf")
        self.tensorizer = tensorizer
        self.num_frames, self.img_res = num_frames, img_res
        self.clip_length = int(sample_rate * clip_seconds)
        self.training = training
        self.rng = random.Random(seed)
        # decoded frames / waveforms kept in memory (small datasets: the smoke run re-reads each clip every epoch)
        self.cache: dict[str, tuple[torch.Tensor, np.ndarray]] | None = {} if cache else None

    def __len__(self) -> int:
        return len(self.clips)

    def decoded(self, vid: str) -> tuple[torch.Tensor, np.ndarray]:
        if self.cache is not None and vid in self.cache:
            return self.cache[vid]
        out = (load_frames(self.frame_dir, vid, self.num_frames, self.img_res),
               pad_or_truncate(self.audio.waveform(vid), self.clip_length))
        if self.cache is not None:
            self.cache[vid] = out
        return out

    def augment_audio(self, wave: np.ndarray) -> torch.Tensor:
        if self.training:  # gain in [-7, 7) dB and a roll of [-50, 50) samples, as the original
            wave = wave * 10 ** ((self.rng.randrange(14) - 7) / 20)
            wave = np.roll(wave, self.rng.randrange(-50, 50))
        return torch.from_numpy(np.ascontiguousarray(wave, dtype=np.float32)).unsqueeze(0)  # 1, samples

    def __getitem__(self, idx: int) -> dict:
        clip = self.clips[idx]
        item = self.tensorizer(clip.caption)
        frames, wave = self.decoded(clip.vid)
        item["frames"] = frames
        item["audio"] = self.augment_audio(wave)
        item["index"] = idx
        return item


def split_description(text: str) -> tuple[str, list[str], list[str]]:
    """(caption, visual sentences, audio sentences) of a paragraph; the last sentence is read as audio,
    as the original AudioScore does (`text.split('. ')[-1]`)."""
    sentences = [s.strip() for s in text.strip().rstrip(".").split(". ") if s.strip()]
    if not sentences:
        return "", [], []
    return sentences[0], sentences[1:-1], sentences[-1:] if len(sentences) > 1 else []
