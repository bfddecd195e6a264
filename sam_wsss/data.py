"""Readers for the official on-disk layouts.

PASCAL VOC 2012 (+ SBD "aug" labels), the VOC2012 folder of the VOC tar (data/voc2012):
    JPEGImages/<id>.jpg, Annotations/<id>.xml
    SegmentationClass/<id>.png and SegmentationClassAug/<id>.png  (index PNGs, 255 = ignore)
    ImageSets/Segmentation/<split>.txt  (one id per line; train_aug.txt for the 10,582 set)
    image-level labels: cls_labels.npy (dict id -> float[20] multi-hot), the original's metadata/pascal file,
    which PSA's make_cls_labels.py made from the XML annotations: a class is present when any <name> element
    of the file names it (difficult and truncated objects included; part names such as "head" are no class).
    Without that file the same rule reads Annotations/<id>.xml directly.
MS-COCO 2014, as process_coco.py reads it (data/coco2014):
    train2014/COCO_train2014_<12 digits>.jpg, annotations/instances_train2014.json (image-level labels: the
    categories of an image's instances), coco_seg_anno/<12 digits>.png (index PNGs of 81 classes, 255 = ignore),
    train.txt / val.txt: the ids of the images with at least one annotation (82,081 / 40,137, the original's
    metadata/coco lists).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from sam_wsss.classes import COCO_CATEGORY_IDS, IGNORE_INDEX, VOC_CLASSES
from sam_wsss.label_map import read_label_png


def read_split(path: str | Path) -> list[str]:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: split file missing; expected one image id per line")
    ids = [line.split()[0] for line in path.read_text().splitlines() if line.strip()]
    if not ids:
        raise ValueError(f"{path}: split file is empty; expected one image id per line")
    return ids


def read_cls_labels(path: str | Path, num_classes: int) -> dict[str, list[int]]:
    """cls_labels.npy: {id: multi-hot float[num_classes - 1]} -> {id: [1-based labels]}."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: image-level labels missing; expected cls_labels.npy (dict id -> multi-hot)")
    table = np.load(path, allow_pickle=True).item()
    out = {}
    for image_id, hot in table.items():
        hot = np.asarray(hot)
        if hot.shape != (num_classes - 1,):
            raise ValueError(f"{path}: labels of {image_id} have shape {hot.shape}; expected ({num_classes - 1},)")
        out[image_id] = [int(i) + 1 for i in np.flatnonzero(hot > 1e-5)]
    return out


def labels_from_xml(path: str | Path) -> list[int]:
    """1-based VOC classes named by any <name> element of a VOC XML annotation (PSA's cls_labels.npy rule)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: XML annotation missing; expected Annotations/<id>.xml of VOC2012 "
                                f"(or give data.cls_labels, the original's cls_labels.npy)")
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as err:
        raise ValueError(f"{path}: not a VOC XML annotation ({err})") from err
    index = {name: i + 1 for i, name in enumerate(VOC_CLASSES)}
    names = {el.text for el in root.iter("name")}  # as minidom reads them: no stripping
    return sorted(index[n] for n in names if n in index)


def read_image(path: str | Path) -> np.ndarray:
    """(h, w, 3) uint8 RGB."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: image missing")
    with Image.open(path) as image:
        return np.array(image.convert("RGB"))


@dataclass
class WsssDataset:
    """Images with image-level labels, and (optionally) ground-truth maps to score pseudo labels against."""

    ids: list[str]
    image_path: Callable[[str], Path]
    class_labels: dict[str, list[int]]
    num_classes: int
    gt_path: Callable[[str], Path] | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def image(self, image_id: str) -> np.ndarray:
        return read_image(self.image_path(image_id))

    def labels(self, image_id: str) -> list[int]:
        if image_id not in self.class_labels:
            raise KeyError(f"no image-level labels for {image_id}")
        return self.class_labels[image_id]

    def gt(self, image_id: str) -> np.ndarray:
        if self.gt_path is None:
            raise ValueError("this dataset has no ground-truth folder")
        mask = read_label_png(self.gt_path(image_id))
        bad = (mask >= self.num_classes) & (mask != IGNORE_INDEX)
        if bad.any():
            raise ValueError(f"{self.gt_path(image_id)}: values {sorted(set(mask[bad].tolist()))} are neither "
                             f"classes 0..{self.num_classes - 1} nor ignore {IGNORE_INDEX}")
        return mask


def voc_dataset(root: str | Path, split: str, cls_labels: str = "", gt_folder: str = "SegmentationClassAug",
                num_classes: int = 21) -> WsssDataset:
    """root: the VOC2012 folder; split: a name under ImageSets/Segmentation or a path to a list file;
    cls_labels: the original's cls_labels.npy ("" reads the XML annotations by the same rule)."""
    root = Path(root)
    if not (root / "JPEGImages").is_dir():
        raise FileNotFoundError(f"{root / 'JPEGImages'}: missing; expected the VOCdevkit/VOC2012 folder")
    split_path = Path(split) if split.endswith(".txt") else root / "ImageSets" / "Segmentation" / f"{split}.txt"
    ids = read_split(split_path)
    gt_dir = root / gt_folder

    def gt_path(image_id: str) -> Path:
        return gt_dir / f"{image_id}.png"

    if cls_labels:
        labels = read_cls_labels(cls_labels, num_classes)
    else:
        labels = {i: labels_from_xml(root / "Annotations" / f"{i}.xml") for i in ids}
    return WsssDataset(ids, lambda i: root / "JPEGImages" / f"{i}.jpg", labels, num_classes,
                       gt_path if gt_dir.is_dir() else None)


def coco_image_labels(instances_json: str | Path) -> dict[str, list[int]]:
    """instances_*.json -> {file stem: [1-based labels of the categories of its instances]}."""
    path = Path(instances_json)
    try:
        data = json.loads(path.read_text())
        stems = {img["id"]: Path(img["file_name"]).stem for img in data["images"]}
        annotations = data["annotations"]
    except (OSError, json.JSONDecodeError, KeyError) as err:
        raise ValueError(f"{path}: cannot read COCO instances ({err}); expected 'images' and 'annotations'") from err
    index = {cat: i + 1 for i, cat in enumerate(COCO_CATEGORY_IDS)}
    labels: dict[str, set[int]] = {stem: set() for stem in stems.values()}
    for ann in annotations:
        if ann["category_id"] not in index:
            raise ValueError(f"{path}: annotation {ann.get('id')} has category_id {ann['category_id']}, "
                             f"not one of the 80 COCO categories")
        labels[stems[ann["image_id"]]].add(index[ann["category_id"]])
    return {stem: sorted(v) for stem, v in labels.items()}


def annotated_image_stems(instances_json: str | Path) -> list[str]:
    """File stems of the images with at least one annotation, sorted: the original's train.txt / val.txt."""
    path = Path(instances_json)
    try:
        data = json.loads(path.read_text())
        stems = {img["id"]: Path(img["file_name"]).stem for img in data["images"]}
        annotated = {ann["image_id"] for ann in data["annotations"]}
    except (OSError, json.JSONDecodeError, KeyError) as err:
        raise ValueError(f"{path}: cannot read COCO instances ({err}); expected 'images' and 'annotations'") from err
    return sorted(stems[i] for i in annotated if i in stems)


def coco_dataset(root: str | Path, split_file: str, instances_json: str = "", image_folder: str = "train2014",
                 gt_folder: str = "coco_seg_anno") -> WsssDataset:
    root = Path(root)
    ids = read_split(split_file)
    labels = coco_image_labels(instances_json or root / "annotations" / f"instances_{image_folder}.json")
    gt_dir = root / gt_folder
    # ground truth is named by the 12-digit number alone (process_coco.py: name[15:])
    return WsssDataset(ids, lambda i: root / image_folder / f"{i}.jpg", labels, 81,
                       (lambda i: gt_dir / f"{i.rsplit('_', 1)[-1]}.png") if gt_dir.is_dir() else None)
