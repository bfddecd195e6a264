"""The config schema: pseudo-label generation (`pseudo`), then the segmentation network trained on the labels
(`train`, run through mmsegmentation). One file per paper experiment under configs/."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass
class DataConfig:
    dataset: Literal["voc", "coco"] = "voc"
    root: str = "data/VOCdevkit/VOC2012"  # VOC: the VOC2012 folder; COCO: the folder holding train2014/
    split: str = "train_aug"  # VOC: a name under ImageSets/Segmentation or a .txt path; COCO: a .txt of ids
    cls_labels: str = ""  # VOC image-level labels (cls_labels.npy); empty: the classes in the GT masks
    gt_folder: str = "SegmentationClassAug"  # ground truth (image-level labels when cls_labels is empty)
    eval_split: str = "train"  # pseudo-label quality is reported on this split (VOC: the 1,464 train images)
    eval_gt_folder: str = "SegmentationClass"
    instances_json: str = ""  # COCO image-level labels; empty: <root>/annotations/instances_train2014.json
    limit: int = 0  # first N images only (0: all)


@dataclass
class DetectorConfig:
    kind: Literal["swint_ogc", "tiny"] = "swint_ogc"
    weights: str = "weights/groundingdino_swint_ogc.pth"  # original .pth or a transformers folder
    tokenizer: str = "weights/bert-base-uncased"  # folder with bert-base-uncased's tokenizer files
    box_threshold: float = 0.3  # run_pascal.sh / run_coco.sh
    text_threshold: float = 0.25  # passed by the original scripts; their phrase rule ignores it
    phrase_rule: Literal["best_word", "above_text_threshold"] = "best_word"  # detector.py
    size: int = 800
    max_size: int = 1333


@dataclass
class SegmenterConfig:
    kind: Literal["vit_h", "vit_l", "vit_b", "tiny"] = "vit_h"
    weights: str = "weights/sam_vit_h_4b8939.pth"


@dataclass
class PromptConfig:
    source: Literal["text", "file"] = "text"  # text: class names -> Grounding DINO; file: boxes from a JSON
    vocabulary: Literal["voc", "voc_no_extras", "coco"] = "voc"
    boxes_json: str = ""  # for source="file"


@dataclass
class PseudoConfig:
    data: DataConfig = field(default_factory=DataConfig)
    prompt: PromptConfig = field(default_factory=PromptConfig)
    detector: DetectorConfig = field(default_factory=DetectorConfig)
    segmenter: SegmenterConfig = field(default_factory=SegmenterConfig)
    out_dir: str = "runs/sam_wsss/voc/pseudo_labels"
    overlays: int = 20  # save this many image | overlay PNGs beside the labels
    device: str = "auto"
    amp: bool = False  # bfloat16 autocast for Grounding DINO and SAM (the paper's runs are fp32)
    seed: int = 0  # weights of the tiny models


@dataclass
class SegTrainConfig:
    """DeepLab-V2 (ResNet-101, ASPP rates 6/12/18/24) trained on the pseudo labels with mmsegmentation."""

    data_root: str = "data/VOCdevkit/VOC2012"
    dataset: Literal["voc", "coco"] = "voc"
    train_split: str = "ImageSets/Segmentation/train_aug.txt"
    val_split: str = "ImageSets/Segmentation/val.txt"
    image_folder: str = "JPEGImages"
    val_image_folder: str = "JPEGImages"
    val_gt_folder: str = "SegmentationClass"
    depth: int = 101
    base_channels: int = 64  # ResNet width (64: the standard network)
    pretrained: str = "open-mmlab://resnet101_v1c"  # ImageNet initialisation ("" for none)
    crop_size: int = 321
    scale_range: tuple[float, float] = (0.5, 1.5)
    batch_size: int = 10
    iters: int = 20000
    lr: float = 2.5e-4
    head_lr_mult: float = 10.0
    momentum: float = 0.9
    weight_decay: float = 5e-4
    poly_power: float = 0.9
    val_interval: int = 2000
    log_level: str = "INFO"  # mmengine's logger (INFO prints the loss every 50 steps)
    amp: bool = False  # mixed precision (mmengine's AmpOptimWrapper); the paper's runs are fp32
    num_workers: int = 4
    seed: int = 0
    work_dir: str = "runs/sam_wsss/voc/deeplabv2"


@dataclass
class Experiment:
    name: str = "voc"
    pseudo: PseudoConfig = field(default_factory=PseudoConfig)
    train: SegTrainConfig = field(default_factory=SegTrainConfig)
