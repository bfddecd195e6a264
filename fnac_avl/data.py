"""Readers for the on-disk layouts the original reads (OpenNLPLab/FNAC_AVL datasets.py).

Training (`get_train_dataset`): DATA/frames/<id>.jpg (Flickr-SoundNet) or <id>.png (VGG-Sound) and
DATA/audio/<id>.wav; the clips are the ids present in both folders, restricted to a subset list
(metadata/flickr_10k.txt, flickr_144k.txt, vggss_10k.txt, vggss_144k.txt, vggss_heard.txt: one id a line).

Testing:
- Flickr-SoundNet (`get_test_dataset`): one folder holding <id>.jpg and <id>.wav; ids from
  metadata/flickr_test.csv (first column); boxes from an annotation folder of <id>.xml files, each box
  element `bbox` with a first child that is skipped and then xmin, ymin, xmax, ymax in 256-pixel
  coordinates (scaled to 224 with int(224 * v / 256)); one box per annotator.
- VGG-SS (`get_test_dataset_2`): DATA/frames/<id>.png and DATA/audio/<id>.wav; ids from
  metadata/vggss_test.csv, vggss_heard_test.csv or vggss_unheard_test.csv; boxes from metadata/vggss.json,
  a list of {"file": id, "class": name, "bbox": [[xmin, ymin, xmax, ymax] in [0, 1]], ...}.

Transforms as the original: training images are resized to 1.1x, randomly cropped and flipped; test
images resized to the input size; both normalised with ImageNet statistics. Spectrograms (fnac_avl.audio)
get the original's frequency and time masks in training and are divided by 12.
"""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import torch
from PIL import Image
from torchvision import transforms

from fnac_avl.audio import SPEC_SCALE, load_spectrogram
from fnac_avl.metrics import boxes_to_gt_map

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
TestSet = Literal["flickr", "vggss", "vggss_heard", "vggss_unheard"]


def _require_dir(path: Path, what: str) -> Path:
    if not path.is_dir():
        raise FileNotFoundError(f"{path}: directory not found; expected {what}")
    return path


def _require_file(path: Path, what: str) -> Path:
    if not path.is_file():
        raise FileNotFoundError(f"{path}: file not found; expected {what}")
    return path


def read_id_list(path: str | Path) -> set[str]:
    """A subset list (metadata/<trainset>.txt): one clip id per line."""
    path = _require_file(Path(path), "a list of clip ids, one per line")
    return {line.strip() for line in path.read_text().splitlines() if line.strip()}


def read_test_ids(path: str | Path) -> set[str]:
    """Ids of a test CSV (metadata/flickr_test.csv, vggss_test.csv, ...): the first column of each row."""
    path = _require_file(Path(path), "a test CSV whose first column is the clip id")
    with path.open(newline="") as f:
        return {row[0] for row in csv.reader(f) if row}


def read_flickr_boxes(path: str | Path) -> list[list[int]]:
    """Boxes of one Flickr-SoundNet annotation XML, in 224-pixel coordinates."""
    path = Path(path)
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as err:
        raise ValueError(f"{path}: not valid XML ({err})") from err
    boxes = []
    for child in root:
        for element in child:
            if element.tag != "bbox":
                raise ValueError(f"{path}: element <{element.tag}> inside <{child.tag}>; expected only <bbox> "
                                 "elements there")
            values = [v.text for v in list(element)[1:]]
            try:
                box = [int(224 * int(v) / 256) for v in values]
            except (TypeError, ValueError) as err:
                raise ValueError(f"{path}: <bbox> values {values}: expected integers") from err
            if len(box) != 4:
                raise ValueError(f"{path}: <bbox> has {len(box)} coordinates after its first child; expected 4 "
                                 "(xmin, ymin, xmax, ymax)")
            boxes.append(box)
    return boxes


def load_flickr_boxes(annotation_dir: str | Path) -> dict[str, list[list[int]]]:
    annotation_dir = _require_dir(Path(annotation_dir), "the Flickr-SoundNet annotation folder of <id>.xml files")
    return {p.name.split(".")[0]: read_flickr_boxes(p) for p in sorted(annotation_dir.iterdir()) if p.is_file()}


def load_vggss_boxes(json_path: str | Path) -> dict[str, list[list[int]]]:
    """metadata/vggss.json -> {id: boxes in 224-pixel coordinates}."""
    json_path = _require_file(Path(json_path), "the VGG-SS annotation JSON (metadata/vggss.json)")
    try:
        entries = json.loads(json_path.read_text())
    except json.JSONDecodeError as err:
        raise ValueError(f"{json_path}: not valid JSON ({err})") from err
    out = {}
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or "file" not in entry or "bbox" not in entry:
            raise ValueError(f"{json_path}: entry {i} lacks field 'file' or 'bbox'; expected "
                             "{{'file': id, 'class': name, 'bbox': [[xmin, ymin, xmax, ymax], ...]}}")
        boxes = []
        for box in entry["bbox"]:
            if len(box) != 4:
                raise ValueError(f"{json_path}: entry {i} ({entry['file']}): field 'bbox' holds {box}; expected "
                                 "[xmin, ymin, xmax, ymax] in [0, 1]")
            boxes.append([int(v) for v in (np.clip(np.array(box, dtype=np.float64), 0, 1) * 224).astype(int)])
        out[entry["file"]] = boxes
    return out


def _ids_with_suffix(folder: Path, suffix: str) -> set[str]:
    return {p.name[: -len(suffix)] for p in folder.iterdir() if p.name.endswith(suffix)}


@dataclass
class Clip:
    id: str
    image: Path
    audio: Path
    boxes: list[list[int]] | None = None


def train_clips(root: str | Path, image_ext: str, subset_list: str | Path | None = None) -> list[Clip]:
    """Clips of a training set: ids with both frames/<id><ext> and audio/<id>.wav, within the subset list."""
    root = Path(root)
    frames = _require_dir(root / "frames", f"frames/<id>{image_ext}")
    audio = _require_dir(root / "audio", "audio/<id>.wav")
    ids = _ids_with_suffix(audio, ".wav") & _ids_with_suffix(frames, image_ext)
    if subset_list:
        ids &= read_id_list(subset_list)
    if not ids:
        raise ValueError(f"{root}: no clip has both frames/<id>{image_ext} and audio/<id>.wav"
                         + (f" among the ids of {subset_list}" if subset_list else ""))
    return [Clip(i, frames / f"{i}{image_ext}", audio / f"{i}.wav") for i in sorted(ids)]


def test_clips(testset: TestSet, root: str | Path, test_csv: str | Path, annotations: str | Path) -> list[Clip]:
    """Clips of a test set with their boxes: the ids of `test_csv` whose image and audio exist."""
    root = Path(root)
    if testset == "flickr":
        image_dir = audio_dir = _require_dir(root, "the Flickr-SoundNet test folder of <id>.jpg and <id>.wav")
        ext, boxes = ".jpg", load_flickr_boxes(annotations)
    else:
        image_dir = _require_dir(root / "frames", "frames/<id>.png")
        audio_dir = _require_dir(root / "audio", "audio/<id>.wav")
        ext, boxes = ".png", load_vggss_boxes(annotations)
    ids = read_test_ids(test_csv) & _ids_with_suffix(audio_dir, ".wav") & _ids_with_suffix(image_dir, ext)
    if not ids:
        raise ValueError(f"{root}: none of the ids of {test_csv} has both its image ({ext}) and audio (.wav)")
    missing = sorted(ids - set(boxes))
    if missing:
        raise KeyError(f"{annotations}: no boxes for test clip {missing[0]!r} ({len(missing)} clips lack boxes)")
    return [Clip(i, image_dir / f"{i}{ext}", audio_dir / f"{i}.wav", boxes[i]) for i in sorted(ids)]


class SpecAugment:
    """The original's FrequencyMask then TimeMask (max width 10, filled with 0) on a (1, F, T) spectrogram.

    As in the original, the frequency mask's start is drawn from range(T) and the time mask's from range(F).
    """

    def __init__(self, max_width: int = 10) -> None:
        self.max_width = max_width

    def __call__(self, spec: torch.Tensor) -> torch.Tensor:
        f, t = spec.shape[1], spec.shape[2]
        start = int(torch.randint(0, t, ()))
        spec[:, start:start + int(torch.randint(0, self.max_width, ())), :] = 0
        start = int(torch.randint(0, f, ()))
        spec[:, :, start:start + int(torch.randint(0, self.max_width, ()))] = 0
        return spec


def image_transform(train: bool, size: int = 224) -> transforms.Compose:
    norm = [transforms.ToTensor(), transforms.Normalize(IMAGENET_MEAN, IMAGENET_STD)]
    if train:
        return transforms.Compose([transforms.Resize(int(size * 1.1), transforms.InterpolationMode.BICUBIC),
                                   transforms.RandomCrop((size, size)), transforms.RandomHorizontalFlip(), *norm])
    return transforms.Compose([transforms.Resize((size, size), transforms.InterpolationMode.BICUBIC), *norm])


class AudioVisualDataset(torch.utils.data.Dataset):
    """Items: {"image": (3, S, S), "spec": (1, 257, T), "index": int} and, with boxes, "gt_map": (224, 224)."""

    def __init__(self, clips: list[Clip], train: bool, image_size: int = 224, box_format: str = "flickr",
                 cache: bool = False) -> None:
        """`cache`: keep each decoded image and spectrogram in memory (exact: the audio crop is the clip's
        centre, not random); for small datasets, where decoding would dominate a step."""
        self.clips = clips
        self.train = train
        self.box_format = box_format
        self.image_tf = image_transform(train, image_size)
        self.augment = SpecAugment() if train else None
        self.cache: dict[int, tuple[Image.Image, torch.Tensor]] | None = {} if cache else None

    def __len__(self) -> int:
        return len(self.clips)

    def load_image(self, clip: Clip) -> Image.Image:
        try:
            return Image.open(clip.image).convert("RGB")
        except OSError as err:
            raise ValueError(f"{clip.image}: cannot read image ({err})") from err

    def _decoded(self, idx: int) -> tuple[Image.Image, torch.Tensor]:
        if self.cache is not None and idx in self.cache:
            return self.cache[idx]
        clip = self.clips[idx]
        decoded = self.load_image(clip), torch.from_numpy(load_spectrogram(clip.audio)).float().unsqueeze(0)
        if self.cache is not None:
            self.cache[idx] = decoded
        return decoded

    def __getitem__(self, idx: int) -> dict:
        clip = self.clips[idx]
        pil, spec = self._decoded(idx)  # spec: 1, 257, T
        image = self.image_tf(pil)
        spec = spec.clone()
        if self.augment is not None:
            spec = self.augment(spec)
        item = {"image": image, "spec": spec / SPEC_SCALE, "index": idx}
        if clip.boxes is not None:
            item["gt_map"] = torch.from_numpy(boxes_to_gt_map(clip.boxes, self.box_format)).float()
        return item


def box_format(testset: str) -> str:
    return "flickr" if testset == "flickr" else "vggss"
