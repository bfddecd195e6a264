"""Readers for AVSBench-object as the original dataloaders lay it out.

S4 (`Single-source/`):
    s4_meta_data.csv                                   columns: name, start, category, split (by position; 'split' by name)
    s4_data/visual_frames/{split}/{category}/{name}/{name}_{1..5}.png
    s4_data/audio_log_mel/{split}/{category}/{name}.pkl    pickled tensor (5, 1, 96, 64)
    s4_data/audio_wav/{split}/{category}/{name}.wav        (input of `python -m avsbench.prepare log-mel`)
    s4_data/gt_masks/{split}/{category}/{name}/{name}_{k}.png  train: k = 1 only; val/test: 1..5
MS3 (`Multi-sources/`):
    ms3_meta_data.csv                                  columns: name first, 'split' by name
    ms3_data/visual_frames/{name}/{name}.mp4_{1..5}.png    (no split folder, as the original)
    ms3_data/audio_log_mel/{split}/{name}.pkl
    ms3_data/gt_masks/{split}/{name}/{name}_{1..5}.png
Frames: RGB, ImageNet-normalised. Masks as the original's loaders read them: S4 masks binary, pixel >= 128
(the original's PIL '1' conversion for the released 0/255 masks; its dithering of intermediate grey values is
not reproduced); MS3 masks through PIL's convert('P') and ToTensor, so a value is the palette index / 255:
grey levels stay soft targets (a grey PNG of 128 gives 0.502), and a palette PNG gives its indices / 255.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import torch
from PIL import Image

from avsbench.config import NUM_FRAMES
from avsbench.vggish import wavfile_to_examples

MEAN = torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(3, 1, 1)
Setting = Literal["s4", "ms3"]


class DataError(ValueError):
    """A missing or malformed dataset file; the message names the file and what was expected."""


@dataclass(frozen=True)
class Clip:
    name: str
    category: str  # S4 only; '' for MS3
    split: str


def meta_csv(root: Path, setting: Setting) -> Path:
    return root / ("s4_meta_data.csv" if setting == "s4" else "ms3_meta_data.csv")


def data_dir(root: Path, setting: Setting) -> Path:
    return root / ("s4_data" if setting == "s4" else "ms3_data")


def read_clips(root: str | Path, setting: Setting, split: str) -> list[Clip]:
    import pandas as pd

    path = meta_csv(Path(root), setting)
    if not path.is_file():
        raise DataError(f"{path}: missing; expected the AVSBench {setting.upper()} meta CSV")
    df = pd.read_csv(path, sep=",")
    if "split" not in df.columns:
        raise DataError(f"{path}: no 'split' column; columns are {list(df.columns)}")
    if setting == "s4" and df.shape[1] < 3:
        raise DataError(f"{path}: expected columns name, start, category, split; got {list(df.columns)}")
    rows = df[df["split"] == split]
    return [Clip(str(r.iloc[0]), str(r.iloc[2]) if setting == "s4" else "", split) for _, r in rows.iterrows()]


def frame_path(root: Path, setting: Setting, clip: Clip, k: int) -> Path:
    base = data_dir(root, setting) / "visual_frames"
    if setting == "s4":
        return base / clip.split / clip.category / clip.name / f"{clip.name}_{k}.png"
    return base / clip.name / f"{clip.name}.mp4_{k}.png"


def mask_path(root: Path, setting: Setting, clip: Clip, k: int) -> Path:
    base = data_dir(root, setting) / "gt_masks" / clip.split
    sub = base / clip.category / clip.name if setting == "s4" else base / clip.name
    return sub / f"{clip.name}_{k}.png"


def audio_path(root: Path, setting: Setting, clip: Clip, kind: Literal["audio_log_mel", "audio_wav"]) -> Path:
    base = data_dir(root, setting) / kind / clip.split
    if setting == "s4":
        base = base / clip.category
    return base / (clip.name + (".pkl" if kind == "audio_log_mel" else ".wav"))


def load_image(path: Path, size: int | None) -> torch.Tensor:
    """(3, H, W) ImageNet-normalised."""
    if not path.is_file():
        raise DataError(f"{path}: missing video frame (expected an RGB PNG)")
    img = Image.open(path).convert("RGB")
    if size is not None and img.size != (size, size):
        img = img.resize((size, size), Image.BILINEAR)
    x = torch.from_numpy(np.asarray(img, dtype=np.float32) / 255.0).permute(2, 0, 1)
    return (x - MEAN) / STD


def load_mask(path: Path, size: int | None, setting: Setting = "s4") -> torch.Tensor:
    """(1, H, W): S4 in {0, 1} (pixel >= 128); MS3 the palette index / 255 of PIL's convert('P')."""
    if not path.is_file():
        raise DataError(f"{path}: missing ground-truth mask (expected a PNG, 0 background / 255 object)")
    img = Image.open(path).convert("P" if setting == "ms3" else "L")
    if size is not None and img.size != (size, size):
        img = img.resize((size, size), Image.NEAREST)
    if setting == "ms3":  # ToTensor of a 'P' image: its indices / 255
        return torch.from_numpy(np.asarray(img, dtype=np.float32) / 255.0)[None]
    return torch.from_numpy((np.asarray(img) >= 128).astype(np.float32))[None]


def clip_log_mel(wav: Path) -> torch.Tensor:
    """(5, 1, 96, 64): the clip's examples; a short clip repeats its last second, as the original preprocessing."""
    examples = wavfile_to_examples(wav)
    if examples.shape[0] < NUM_FRAMES:
        pad = examples[-1:].repeat(NUM_FRAMES - examples.shape[0], 1, 1, 1)
        examples = torch.cat([examples, pad])
    return examples[:NUM_FRAMES]


def load_log_mel(path: Path) -> torch.Tensor:
    """(5, 1, 96, 64) log-mel examples, one per second, from the original's pickle files."""
    if not path.is_file():
        raise DataError(f"{path}: missing audio log-mel pickle (run `python -m avsbench.prepare log-mel`)")
    with path.open("rb") as f:
        try:
            value = pickle.load(f)  # the official format: a pickled torch tensor
        except Exception as err:
            raise DataError(f"{path}: not a readable pickle of a log-mel tensor ({err})") from err
    value = torch.as_tensor(value.detach() if isinstance(value, torch.Tensor) else value).float()
    if value.shape != (NUM_FRAMES, 1, 96, 64):
        raise DataError(f"{path}: log-mel of shape {tuple(value.shape)}; expected ({NUM_FRAMES}, 1, 96, 64)")
    return value


class AVSDataset(torch.utils.data.Dataset):
    """One item per clip: {'frames': (5, 3, H, W), 'log_mel': (5, 1, 96, 64), 'masks': (M, 1, H, W), 'index'}.

    M = 1 for S4 training (only the first frame is annotated), 5 otherwise.
    """

    def __init__(self, root: str | Path, setting: Setting, split: str, image_size: int | None = 224,
                 audio: Literal["log_mel", "wav"] = "log_mel") -> None:
        """audio: read the pre-extracted log-mel pickles, or compute the same examples from the WAV files."""
        if setting not in ("s4", "ms3"):
            raise ValueError(f"data.setting: expected 's4' or 'ms3', got {setting!r}")
        if audio not in ("log_mel", "wav"):
            raise ValueError(f"data.audio: expected 'log_mel' or 'wav', got {audio!r}")
        self.root, self.setting, self.split, self.image_size, self.audio = Path(root), setting, split, image_size, audio
        self.clips = read_clips(root, setting, split)
        if not self.clips:
            raise DataError(f"{meta_csv(self.root, setting)}: no clips with split == {split!r}")
        self.num_masks = 1 if (setting == "s4" and split == "train") else NUM_FRAMES

    def __len__(self) -> int:
        return len(self.clips)

    def __getitem__(self, index: int) -> dict:
        clip = self.clips[index]
        frames = torch.stack([load_image(frame_path(self.root, self.setting, clip, k), self.image_size)
                              for k in range(1, NUM_FRAMES + 1)])
        masks = torch.stack([load_mask(mask_path(self.root, self.setting, clip, k), self.image_size, self.setting)
                             for k in range(1, self.num_masks + 1)])
        if self.audio == "wav":
            wav = audio_path(self.root, self.setting, clip, "audio_wav")
            if not wav.is_file():
                raise DataError(f"{wav}: missing audio WAV (16 kHz, 16-bit PCM)")
            log_mel = clip_log_mel(wav)
        else:
            log_mel = load_log_mel(audio_path(self.root, self.setting, clip, "audio_log_mel"))
        return {"frames": frames, "log_mel": log_mel, "masks": masks, "index": index}
