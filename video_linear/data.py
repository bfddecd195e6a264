"""Kinetics-layout video lists, decoding and the original's frame sampling and multi-view testing.

On disk (as `slowfast/datasets/kinetics.py` reads it):

    ROOT/train.csv, ROOT/val.csv, ROOT/test.csv     one `path label` line per video (separator " ")
    paths relative to `path_prefix` (default ROOT)

Kinetics-400/600 use this layout unchanged. Something-Something v2 (`dataset="ssv2"`) is read from
the original's lists `ROOT/{train,val}_videofolder.txt` (`video_id num_frames label`; test = val) with
the official `.webm` files in `ROOT/videos/<video_id>.webm` (the original reads the same frames from
HDF5 packs) and sampled as `slowfast/datasets/ssv2.py:get_seq_frames`: one frame per equal segment,
random within it for training, the middle (test view 0), start (1) or end (2) for testing.
Kinetics sampling follows `slowfast/datasets/decoder.py`: a clip
spans `sampling_rate * num_frames / target_fps * fps` source frames, starting at a random point for
training or at `delta * i / num_views` for the i-th test view, and `num_frames` indices are spaced
evenly over it (`torch.linspace`, clamped). Spatially (`slowfast/datasets/utils.py:spatial_sampling`):
training rescales the short side to a random size in `train_jitter_scales`, crops randomly and flips (or,
with `xvit_augmentation`, the original's Kinetics default, takes a TSN multi-scale crop resized to the crop size
and flips; `augment.py`), then erases a random box with probability `random_erasing`;
testing rescales the short side to the crop size and takes the left/centre/right (or top/middle/bottom)
crop. A test set has `num_views * num_crops` items per video; item `i` is view `i // num_crops` of
video `i // (num_views * num_crops)`, as the original's `_spatial_temporal_idx`.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

import av
import numpy as np
import torch
import torch.nn.functional as F

from video_linear.augment import multi_scale_crop, random_erasing
from video_linear.config import DataConfig


class DataError(ValueError):
    """A missing or malformed dataset file."""


def read_video_list(csv_path: Path, separator: str = " ", num_classes: int | None = None) -> list[tuple[str, int]]:
    """(path, label) per line of a Kinetics-style CSV; errors name the file, the line and what was expected."""
    if not csv_path.is_file():
        raise DataError(f"{csv_path}: file not found (expected a `path label` list; see video_linear/prepare.py)")
    items = []
    for lineno, line in enumerate(csv_path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        parts = line.rsplit(separator, 1)
        if len(parts) != 2:
            raise DataError(f"{csv_path}:{lineno}: expected `path{separator}label`, got {line!r}")
        path, label = parts
        try:
            label_id = int(label)
        except ValueError:
            raise DataError(f"{csv_path}:{lineno}: field label: expected an integer class id, got {label!r}") from None
        if label_id < 0 or (num_classes is not None and label_id >= num_classes):
            raise DataError(f"{csv_path}:{lineno}: field label: expected 0..{(num_classes or 1) - 1}, got {label_id}")
        items.append((path, label_id))
    if not items:
        raise DataError(f"{csv_path}: no videos listed")
    return items


def read_videofolder_list(list_path: Path, num_classes: int | None = None) -> list[tuple[str, int]]:
    """(video_id, label) per line of an SSv2 `*_videofolder.txt` (`video_id num_frames label`)."""
    if not list_path.is_file():
        raise DataError(f"{list_path}: file not found (expected `video_id num_frames label` lines)")
    items = []
    for lineno, line in enumerate(list_path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split(" ")
        if len(parts) != 3 or not parts[2].strip().isdigit():
            raise DataError(f"{list_path}:{lineno}: expected `video_id num_frames label`, got {line!r}")
        label = int(parts[2])
        if num_classes is not None and label >= num_classes:
            raise DataError(f"{list_path}:{lineno}: field label: expected 0..{num_classes - 1}, got {label}")
        items.append((f"videos/{parts[0]}.webm", label))
    if not items:
        raise DataError(f"{list_path}: no videos listed")
    return items


def segment_indices(video_length: int, num_frames: int, mode: str, temporal_idx: int = 0) -> list[int]:
    """SSv2 sampling (ssv2.py:get_seq_frames): one index per segment of (length - 1) / num_frames frames."""
    seg = float(video_length - 1) / num_frames
    seq = []
    for i in range(num_frames):
        start, end = int(np.round(seg * i)), int(np.round(seg * (i + 1)))
        if mode == "train":
            seq.append(random.randint(start, end))
        elif mode == "val" or temporal_idx == 0:
            seq.append((start + end) // 2)
        else:
            seq.append(start if temporal_idx == 1 else end)
    return seq


def decode_video(path: Path) -> tuple[torch.Tensor, float]:
    """All frames of a video as uint8 (t, h, w, 3) and its frame rate (PyAV)."""
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            fps = float(stream.average_rate or 30)
            frames = [f.to_ndarray(format="rgb24") for f in container.decode(stream)]
    except (av.error.FFmpegError, IndexError) as err:
        raise DataError(f"{path}: cannot decode a video stream ({err})") from err
    if not frames:
        raise DataError(f"{path}: the video has no frames")
    return torch.from_numpy(np.stack(frames)), fps


def get_start_end_idx(video_size: int, clip_size: float, clip_idx: int, num_clips: int) -> tuple[float, float]:
    """First and last frame of a clip; clip_idx -1 draws the start at random (decoder.get_start_end_idx)."""
    delta = max(video_size - clip_size, 0)
    start = random.uniform(0, delta) if clip_idx == -1 else delta * clip_idx / num_clips
    return start, start + clip_size - 1


def temporal_indices(num_video_frames: int, start: float, end: float, num_samples: int) -> torch.Tensor:
    """`num_samples` evenly spaced frame indices in [start, end], clamped (decoder.temporal_sampling)."""
    return torch.linspace(start, end, num_samples).clamp(0, num_video_frames - 1).long()


def short_side_scale(frames: torch.Tensor, size: int) -> torch.Tensor:
    """frames: t, c, h, w; short side -> size, aspect kept (transform.random_short_side_scale_jitter)."""
    h, w = frames.shape[-2:]
    if (w <= h and w == size) or (h <= w and h == size):
        return frames
    if w < h:
        new_h, new_w = int(math.floor(h / w * size)), size
    else:
        new_h, new_w = size, int(math.floor(w / h * size))
    return F.interpolate(frames, size=(new_h, new_w), mode="bilinear", align_corners=False)


def uniform_crop(frames: torch.Tensor, size: int, spatial_idx: int) -> torch.Tensor:
    """Crop 0/1/2: left/centre/right when wide, top/middle/bottom when tall (transform.uniform_crop)."""
    h, w = frames.shape[-2:]
    y, x = int(math.ceil((h - size) / 2)), int(math.ceil((w - size) / 2))
    if h > w:
        y = {0: 0, 1: y, 2: h - size}[spatial_idx]
    else:
        x = {0: 0, 1: x, 2: w - size}[spatial_idx]
    return frames[..., y:y + size, x:x + size]


def random_crop(frames: torch.Tensor, size: int) -> torch.Tensor:
    h, w = frames.shape[-2:]
    y = int(np.random.randint(0, h - size)) if h > size else 0
    x = int(np.random.randint(0, w - size)) if w > size else 0
    return frames[..., y:y + size, x:x + size]


class ClipAutoAugment:
    """timm's AutoAugment policy "v0" applied with the same random draws to every frame of a clip.

    The original (`slowfast/datasets/data_augment.py`, timm's code with `synchronized` ops) picks one
    sub-policy, probability outcome and magnitude per clip; replaying Python's random state for each
    frame gives exactly that with timm's own ops. translate_const = int(224 * 0.45) as the original.
    """

    def __init__(self, translate_const: int = int(224 * 0.45)) -> None:
        from timm.data.auto_augment import auto_augment_transform

        self.transform = auto_augment_transform("v0", {"translate_const": translate_const})

    def __call__(self, frames: torch.Tensor) -> torch.Tensor:
        """frames: uint8 (t, h, w, 3)."""
        from PIL import Image

        state = random.getstate()
        out = []
        for frame in frames.numpy():
            random.setstate(state)
            out.append(np.asarray(self.transform(Image.fromarray(frame))))
        return torch.from_numpy(np.stack(out))


class VideoClips(torch.utils.data.Dataset):
    """A split of a Kinetics-layout dataset. Items: (clip (3, t, crop, crop) float, label, clip index)."""

    def __init__(self, cfg: DataConfig, split: str, num_classes: int | None = None) -> None:
        if split not in ("train", "val", "test"):
            raise ValueError(f"split: expected train, val or test, got {split!r}")
        self.cfg, self.split = cfg, split
        root = Path(cfg.root)
        self.prefix = Path(cfg.path_prefix) if cfg.path_prefix else root
        if cfg.dataset == "ssv2":
            self.videos = read_videofolder_list(root / f"{'train' if split == 'train' else 'val'}_videofolder.txt",
                                                num_classes)
        else:
            self.videos = read_video_list(root / f"{split}.csv", cfg.separator, num_classes)
        self.num_clips = cfg.num_views * cfg.num_crops if split == "test" else 1
        self.labels = [label for _, label in self.videos for _ in range(self.num_clips)]
        self._cache: dict[int, tuple[torch.Tensor, float]] = {}
        self.autoaugment = ClipAutoAugment() if cfg.autoaugment and split == "train" else None

    def __len__(self) -> int:
        return len(self.videos) * self.num_clips

    def _sampled_frames(self, video_idx: int, choose) -> torch.Tensor:
        """uint8 (t, h, w, 3) frames at `choose(num_video_frames, fps)` -> indices."""
        path = self.prefix / self.videos[video_idx][0]
        if self.cfg.decoder == "torchcodec":
            from torchcodec.decoders import VideoDecoder

            try:
                decoder = VideoDecoder(str(path))
                meta = decoder.metadata
                if meta.num_frames:
                    idx = choose(meta.num_frames, float(meta.average_fps or 30))
                    return decoder.get_frames_at(idx.tolist()).data.permute(0, 2, 3, 1)
            except (RuntimeError, ValueError) as err:
                raise DataError(f"{path}: cannot decode a video stream ({err})") from err
        frames, fps = self._decoded(video_idx)  # PyAV, or a container without a frame count
        return frames[choose(frames.shape[0], fps)]

    def _decoded(self, video_idx: int) -> tuple[torch.Tensor, float]:
        if video_idx in self._cache:
            return self._cache[video_idx]
        decoded = decode_video(self.prefix / self.videos[video_idx][0])
        if self.cfg.cache_decoded:
            self._cache[video_idx] = decoded
        return decoded

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int, int]:
        cfg = self.cfg
        video_idx, clip = divmod(index, self.num_clips)
        if self.split == "test":
            temporal_idx = clip // cfg.num_crops
            spatial_idx = clip % cfg.num_crops if cfg.num_crops > 1 else 1
        else:
            temporal_idx, spatial_idx = -1, -1

        def choose(num_video_frames: int, fps: float) -> torch.Tensor:
            if cfg.dataset == "ssv2":
                idx = torch.tensor(segment_indices(num_video_frames, cfg.num_frames, self.split, temporal_idx))
            else:
                clip_size = cfg.sampling_rate * cfg.num_frames / cfg.target_fps * fps
                start, end = get_start_end_idx(num_video_frames, clip_size, temporal_idx, cfg.num_views)
                idx = temporal_indices(num_video_frames, start, end, cfg.num_frames)
            return idx[len(idx) // 2].repeat(len(idx)) if cfg.single_frame else idx

        clip_frames = self._sampled_frames(video_idx, choose)  # t, h, w, 3 uint8
        if self.autoaugment is not None:
            clip_frames = self.autoaugment(clip_frames)
        train = spatial_idx == -1
        if train and cfg.xvit_augmentation:  # the original's Kinetics default: TSN multi-scale crop, then flip
            clip_frames = multi_scale_crop(clip_frames, cfg.train_crop_size).permute(0, 3, 1, 2).float()
            if cfg.random_flip and np.random.uniform() < 0.5:
                clip_frames = clip_frames.flip(-1)
        elif train:
            clip_frames = clip_frames.permute(0, 3, 1, 2).float()  # t, 3, h, w
            size = int(round(np.random.uniform(*cfg.train_jitter_scales)))
            clip_frames = random_crop(short_side_scale(clip_frames, size), cfg.train_crop_size)
            if cfg.random_flip and np.random.uniform() < 0.5:
                clip_frames = clip_frames.flip(-1)
        else:
            clip_frames = clip_frames.permute(0, 3, 1, 2).float()
            scale = cfg.test_crop_size if cfg.num_crops > 1 else cfg.train_jitter_scales[0]
            clip_frames = uniform_crop(short_side_scale(clip_frames, scale), cfg.test_crop_size, spatial_idx)
        mean = torch.tensor(cfg.mean).view(1, 3, 1, 1)
        std = torch.tensor(cfg.std).view(1, 3, 1, 1)
        clip_frames = ((clip_frames / 255.0 - mean) / std).transpose(0, 1).contiguous()  # 3, t, h, w
        if train and cfg.random_erasing > 0:  # after normalisation, as the original: the box becomes the mean
            clip_frames = random_erasing(clip_frames, cfg.random_erasing)
        return clip_frames, self.videos[video_idx][1], index
