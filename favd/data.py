"""Readers for the FAVDBench layout (as the original AVLFormer reads it).

    <root>/metadata/<split>.caption.tsv            "<split>/<vid>.mp4<TAB>[{"caption": "..."}]"  one row per clip
    <root>/frames/<split>-<F>frames/<vid>_frame0001.jpg ... <vid>_frame<F>.jpg   frames sampled uniformly
    <root>/audio_hdf/<split>_mp3.hdf               datasets `audio_name` (vid) and `mp3` (encoded bytes, uint8)
    <root>/videos/<split>/<vid>.mp4                the raw clips (optional: the original's inference route)

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

from favd.tensorize import CaptionTensorizer

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


def resize_shorter_side(img: Image.Image, size: int) -> Image.Image:
    """Shorter side to `size`, the other scaled and truncated to an integer (the original's video `Resize`)."""
    w, h = img.size
    if min(w, h) == size:
        return img
    new = (size, int(size * h / w)) if w < h else (int(size * w / h), size)
    return img.resize(new, Image.BILINEAR)


def read_frame_files(folder: Path, vid: str, num_frames: int) -> list[Image.Image]:
    """The extracted frames <vid>_frame0001.jpg ... as RGB images."""
    frames = []
    for i in range(1, num_frames + 1):
        path = folder / f"{vid}_frame{i:04d}.jpg"
        if not path.is_file():
            raise DataError(f"{path}: frame not found (expected {num_frames} frames <vid>_frame0001.jpg ...)")
        frames.append(Image.open(path).convert("RGB"))
    return frames


def read_video_frames(path: Path, num_frames: int) -> list[Image.Image]:
    """`num_frames` frames of an mp4, as the original's inference route: every frame decoded, then the frames at
    linspace(0, n - 1, num_frames) truncated to integers (its 'uniform' sampling; the 3 fps it names is unused)."""
    if not path.is_file():
        raise DataError(f"{path}: video not found (expected <root>/videos/<split>/<vid>.mp4)")
    try:
        with av.open(str(path)) as container:
            decoded = [f.to_image() for f in container.decode(video=0)]
    except av.error.FFmpegError as err:
        raise DataError(f"{path}: cannot decode video ({err})") from err
    if not decoded:
        raise DataError(f"{path}: no video frames")
    index = torch.linspace(0, len(decoded) - 1, num_frames).long().tolist()
    return [decoded[i].convert("RGB") for i in index]


def crop_and_normalise(frames: list[Image.Image], img_res: int, rng: random.Random | None) -> torch.Tensor:
    """(num_frames, 3, img_res, img_res): one crop window for every frame, random when `rng` is given (training),
    else central (x = round((w - img_res) / 2), as the original), then ImageNet normalisation."""
    w, h = frames[0].size
    if w < img_res or h < img_res:
        raise DataError(f"frames of {w}x{h} are smaller than the crop {img_res}x{img_res}")
    if rng is not None:
        left, top = rng.randint(0, w - img_res), rng.randint(0, h - img_res)
    else:
        left, top = int(round((w - img_res) / 2)), int(round((h - img_res) / 2))
    x = torch.stack([torch.from_numpy(np.asarray(f.crop((left, top, left + img_res, top + img_res)),
                                                 dtype=np.float32) / 255.0).permute(2, 0, 1) for f in frames])
    mean, std = torch.tensor(IMAGENET_MEAN)[:, None, None], torch.tensor(IMAGENET_STD)[:, None, None]
    return (x - mean) / std


def load_frames(folder: Path, vid: str, num_frames: int, img_res: int, rng: random.Random | None = None
                ) -> torch.Tensor:
    """Extracted frames, shorter side resized, cropped (random with `rng`, else central) and normalised."""
    frames = [resize_shorter_side(f, img_res) for f in read_frame_files(folder, vid, num_frames)]
    return crop_and_normalise(frames, img_res, rng)


class FAVDDataset(torch.utils.data.Dataset):
    """One item per clip: frames, waveform and the tensorized description (see favd.tensorize).

    Training: random crop (one window per clip), random gain in [-7, 7) dB and a roll of [-50, 50) samples.
    Evaluation: centre crop and, with `eval_gain` (the original's default), the same random gain, drawn from a
    generator seeded by `seed` and the clip index so that an evaluation is repeatable.
    `frames_from="video"` decodes <root>/videos/<split>/<vid>.mp4 instead of the extracted JPEGs.
    """

    def __init__(self, root: str | Path, split: str, tensorizer, num_frames: int = 32, img_res: int = 224,
                 sample_rate: int = 32000, clip_seconds: float = 10.0, training: bool = True,
                 caption_file: str = "{split}.caption.tsv", seed: int = 0, cache: bool = False,
                 eval_gain: bool = True, frames_from: str = "frames") -> None:
        self.root = Path(root)
        self.split = split
        self.clips = read_caption_tsv(self.root / "metadata" / caption_file.format(split=split))
        if frames_from not in ("frames", "video"):
            raise ValueError(f"data.eval_frames: expected 'frames' or 'video', got {frames_from!r}")
        self.frames_from = frames_from
        self.frame_dir = (self.root / "frames" / f"{split}-{num_frames}frames" if frames_from == "frames"
                          else self.root / "videos" / split)
        if not self.frame_dir.is_dir():
            expected = "<root>/frames/<split>-<F>frames" if frames_from == "frames" else "<root>/videos/<split>"
            raise DataError(f"{self.frame_dir}: folder not found (expected {expected})")
        self.audio = AudioArchive(self.root / "audio_hdf" / f"{split}_mp3.hdf")
        self.tensorizer = tensorizer
        self.num_frames, self.img_res = num_frames, img_res
        self.clip_length = int(sample_rate * clip_seconds)
        self.training = training
        self.eval_gain = eval_gain
        self.seed = seed
        self.rng = random.Random(seed)
        self._rng_worker: int | None = None
        # resized frames / waveforms kept in memory (small datasets: the smoke run re-reads each clip every epoch)
        self.cache: dict[str, tuple[list[Image.Image], np.ndarray]] | None = {} if cache else None

    def __len__(self) -> int:
        return len(self.clips)

    def decoded(self, vid: str) -> tuple[list[Image.Image], np.ndarray]:
        """Frames resized to the crop's shorter side (not yet cropped) and the padded waveform."""
        if self.cache is not None and vid in self.cache:
            return self.cache[vid]
        if self.frames_from == "video":
            frames = read_video_frames(self.frame_dir / f"{vid}.mp4", self.num_frames)
        else:
            frames = read_frame_files(self.frame_dir, vid, self.num_frames)
        out = ([resize_shorter_side(f, self.img_res) for f in frames],
               pad_or_truncate(self.audio.waveform(vid), self.clip_length))
        if self.cache is not None:
            self.cache[vid] = out
        return out

    def augment_audio(self, wave: np.ndarray, idx: int) -> torch.Tensor:
        # gain in [-7, 7) dB (train and eval, as the original), a roll of [-50, 50) samples (train only)
        rng = self.rng if self.training else random.Random(self.seed * 1_000_003 + idx)
        if self.training or self.eval_gain:
            wave = wave * 10 ** ((rng.randrange(14) - 7) / 20)
        if self.training:
            wave = np.roll(wave, rng.randrange(-50, 50))
        return torch.from_numpy(np.ascontiguousarray(wave, dtype=np.float32)).unsqueeze(0)  # 1, samples

    def _reseed_in_worker(self) -> None:
        """Each DataLoader worker gets its own random streams (forked copies would repeat the same draws)."""
        info = torch.utils.data.get_worker_info()
        if info is not None and self._rng_worker != info.id:
            self._rng_worker = info.id
            self.rng = random.Random(info.seed)
            if hasattr(self.tensorizer, "rng"):
                self.tensorizer.rng = random.Random(info.seed + 1)

    def __getitem__(self, idx: int) -> dict:
        self._reseed_in_worker()
        clip = self.clips[idx]
        item = self.tensorizer(clip.caption)
        frames, wave = self.decoded(clip.vid)
        item["frames"] = crop_and_normalise(frames, self.img_res, self.rng if self.training else None)
        item["audio"] = self.augment_audio(wave, idx)
        item["index"] = idx
        return item


def build_datasets(cfg, tokenizer) -> tuple[FAVDDataset, FAVDDataset]:
    """The training and evaluation sets of an experiment config (favd.config.FAVDConfig)."""
    d, m = cfg.data, cfg.model
    train_tz = CaptionTensorizer(tokenizer, m.max_img_seq_length, d.max_seq_length, d.mask_prob, d.max_masked_tokens,
                                 is_train=True, rng=random.Random(cfg.train.seed), lm_targets=d.lm_targets)
    test_tz = CaptionTensorizer(tokenizer, m.max_img_seq_length, d.max_gen_length, is_train=False)
    common = dict(num_frames=d.num_frames, img_res=d.img_res, sample_rate=m.audio.sample_rate,
                  clip_seconds=d.clip_seconds, caption_file=d.caption_file, cache=d.cache_decoded)
    train = FAVDDataset(d.root, d.train_split, train_tz, training=True, seed=cfg.train.seed, **common)
    test = FAVDDataset(d.root, d.eval_split, test_tz, training=False, seed=d.eval_seed, eval_gain=d.eval_gain,
                       frames_from=d.eval_frames, **common)
    return train, test


def split_description(text: str) -> tuple[str, list[str], list[str]]:
    """(caption, visual sentences, audio sentences) of a paragraph; the last sentence is read as audio,
    as the original AudioScore does (`text.split('. ')[-1]`)."""
    sentences = [s.strip() for s in text.strip().rstrip(".").split(". ") if s.strip()]
    if not sentences:
        return "", [], []
    return sentences[0], sentences[1:-1], sentences[-1:] if len(sentences) > 1 else []
