"""Charades in the frame-list layout the original reads (`slowfast/datasets/charades.py`).

    ROOT/train.csv, ROOT/val.csv   header `original_vido_id video_id frame_id path labels`, then one line
                                   per JPEG frame; `labels` is `"3,17"` (frame-level classes) or `""`
    frame paths relative to `path_prefix` (default ROOT)

Sampling (`Charades.get_seq_frames`): a clip of `(num_frames - 1) * sampling_rate + 1` frames, starting
at random for training and at `round(gap * i)` for test view `i` (gap = spare frames / (views - 1)).
Labels: the union of the frame labels inside the sampled clip (training) or over the whole video
(validation/test, `convert_to_video_level_labels`), as a binary vector. The test split is `val.csv`.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from video_linear.augment import random_erasing
from video_linear.config import DataConfig
from video_linear.data import ClipAutoAugment, DataError, random_crop, short_side_scale, uniform_crop

HEADER = "original_vido_id"


def load_frame_lists(path: Path, prefix: Path) -> list[tuple[str, list[Path], list[list[int]]]]:
    """(video name, frame paths, frame labels) per video, in first-seen order (utils.load_image_lists)."""
    if not path.is_file():
        raise DataError(f"{path}: file not found (expected a Charades frame list)")
    lines = path.read_text().splitlines()
    if not lines or not lines[0].startswith(HEADER):
        raise DataError(f"{path}:1: expected the header `original_vido_id video_id frame_id path labels`")
    videos: dict[str, tuple[list[Path], list[list[int]]]] = {}
    for lineno, line in enumerate(lines[1:], 2):
        row = line.split()
        if len(row) == 4:  # an empty label field `""` may be dropped by split()
            row.append("")
        if len(row) != 5:
            raise DataError(f"{path}:{lineno}: expected 5 fields `original_vido_id video_id frame_id path labels`")
        text = row[4].replace('"', "")
        try:
            labels = [int(x) for x in text.split(",")] if text else []
        except ValueError:
            raise DataError(
                f"{path}:{lineno}: field labels: expected comma-separated class ids, got {row[4]!r}") from None
        paths, frame_labels = videos.setdefault(row[0], ([], []))
        paths.append(prefix / row[3])
        frame_labels.append(labels)
    if not videos:
        raise DataError(f"{path}: no frames listed")
    return [(name, paths, labels) for name, (paths, labels) in videos.items()]


def charades_indices(video_length: int, num_frames: int, sampling_rate: int, temporal_idx: int,
                     num_views: int) -> list[int]:
    clip_length = (num_frames - 1) * sampling_rate + 1
    if temporal_idx == -1:
        lo, hi = sorted((0, video_length - clip_length))
        start = random.randint(lo, hi)
    else:
        gap = float(max(video_length - clip_length, 0)) / (num_views - 1)
        start = int(round(gap * temporal_idx))
    return [max(min(start + i * sampling_rate, video_length - 1), 0) for i in range(num_frames)]


def binary_labels(label_lists: list[list[int]], num_classes: int) -> torch.Tensor:
    vector = torch.zeros(num_classes)
    for labels in label_lists:
        for label in labels:
            if not 0 <= label < num_classes:
                raise DataError(f"label {label}: expected a class id in 0..{num_classes - 1}")
            vector[label] = 1.0
    return vector


class CharadesClips(torch.utils.data.Dataset):
    """Items: (clip (3, t, crop, crop), binary label vector, clip index), like `VideoClips`."""

    def __init__(self, cfg: DataConfig, split: str, num_classes: int) -> None:
        self.cfg, self.split, self.num_classes = cfg, split, num_classes
        root = Path(cfg.root)
        prefix = Path(cfg.path_prefix) if cfg.path_prefix else root
        self.videos = load_frame_lists(root / f"{'train' if split == 'train' else 'val'}.csv", prefix)
        self.num_clips = cfg.num_views * cfg.num_crops if split == "test" else 1
        if split == "test" and cfg.num_views < 2:  # the original divides by num_views - 1 there
            raise ValueError(f"data.num_views={cfg.num_views}: Charades test views are spaced by (video length - "
                             "clip length) / (num_views - 1); expected num_views >= 2")
        self.autoaugment = ClipAutoAugment() if cfg.autoaugment and split == "train" else None

    def __len__(self) -> int:
        return len(self.videos) * self.num_clips

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor, int]:
        cfg = self.cfg
        video_idx, clip = divmod(index, self.num_clips)
        _, paths, frame_labels = self.videos[video_idx]
        test = self.split == "test"
        temporal_idx = clip // cfg.num_crops if test else -1
        seq = charades_indices(len(paths), cfg.num_frames, cfg.sampling_rate, temporal_idx, cfg.num_views)
        if self.split == "train":
            label = binary_labels(frame_labels[seq[0]:seq[-1] + 1], self.num_classes)
        else:
            label = binary_labels(frame_labels, self.num_classes)  # video level
        try:
            frames = np.stack([np.asarray(Image.open(paths[i]).convert("RGB")) for i in seq])
        except OSError as err:
            raise DataError(f"{paths[seq[0]].parent}: cannot read a frame ({err})") from err
        clip_frames = torch.from_numpy(frames)
        if self.autoaugment is not None:
            clip_frames = self.autoaugment(clip_frames)
        clip_frames = clip_frames.permute(0, 3, 1, 2).float()  # t, 3, h, w
        if test:
            size = cfg.test_crop_size
            clip_frames = uniform_crop(short_side_scale(clip_frames, size), size, clip % cfg.num_crops)
        else:
            size = int(round(np.random.uniform(*cfg.train_jitter_scales)))
            clip_frames = random_crop(short_side_scale(clip_frames, size), cfg.train_crop_size)
            if cfg.random_flip and np.random.uniform() < 0.5:
                clip_frames = clip_frames.flip(-1)
        mean = torch.tensor(cfg.mean).view(1, 3, 1, 1)
        std = torch.tensor(cfg.std).view(1, 3, 1, 1)
        clip_frames = ((clip_frames / 255.0 - mean) / std).transpose(0, 1).contiguous()
        if not test and cfg.random_erasing > 0:
            clip_frames = random_erasing(clip_frames, cfg.random_erasing)
        return clip_frames, label, index
