"""The config schema: pseudo-label generation (`pseudo`), then the segmentation network trained on the labels
(`train`, run through mmsegmentation). One file per paper experiment under configs/, each a `get_config()`.

Paths are filled in when a config is built (`configs/_common.py` reads `shared.paths`), so `--data-root` /
`--weights-root` (or REPRO_DATA / REPRO_WEIGHTS) move every dataset and weight file at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# deeplab-pytorch's configs/voc12.yaml (the DeepLab-v2 recipe WSSS methods train their segmenter with)
DEEPLAB_SCALES = (0.5, 0.75, 1.0, 1.25, 1.5)  # DATASET.SCALES: factors of the original image
CAFFE_MEAN_RGB = (122.675, 116.669, 104.008)  # IMAGE.MEAN (R, G, B); no division by a std (Caffe models)
IMAGENET_MEAN_RGB = (123.675, 116.28, 103.53)
IMAGENET_STD_RGB = (58.395, 57.12, 57.375)


@dataclass
class DataConfig:
    dataset: Literal["voc", "coco"] = "voc"
    data_root: str = "data/voc2012"  # VOC: the VOC2012 folder; COCO: the folder holding train2014/
    split: str = "train_aug"  # VOC: a name under ImageSets/Segmentation or a .txt path; COCO: a .txt of ids
    # VOC image-level labels: cls_labels.npy (the original's file: dict id -> multi-hot float[20]); empty: read
    # from the XML annotations (Annotations/<id>.xml) by the rule that file was made with
    cls_labels: str = ""
    gt_folder: str = "SegmentationClassAug"  # ground truth of `split`
    eval_split: str = "train"  # pseudo-label quality is reported on this split (VOC: the 1,464 train images)
    eval_gt_folder: str = "SegmentationClass"
    instances_json: str = ""  # COCO image-level labels; empty: <data_root>/annotations/instances_train2014.json
    limit: int = 0  # first N images only (0: all)


@dataclass
class DetectorConfig:
    kind: Literal["swint_ogc", "tiny"] = "swint_ogc"
    weights: str = "weights/groundingdino/groundingdino_swint_ogc.pth"  # original .pth or a transformers folder
    tokenizer: str = "weights/bert-base-uncased"  # folder with bert-base-uncased's tokenizer files
    box_threshold: float = 0.3  # run_pascal.sh / run_coco.sh
    text_threshold: float = 0.25  # passed by the original scripts; their phrase rule ignores it
    phrase_rule: Literal["best_word", "above_text_threshold"] = "best_word"  # detector.py
    size: int = 800
    max_size: int = 1333


@dataclass
class SegmenterConfig:
    kind: Literal["vit_h", "vit_l", "vit_b", "tiny"] = "vit_h"
    weights: str = "weights/sam/sam_vit_h_4b8939.pth"


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
    # pseudo-label mIoU: "original" skips images without a label file and averages over the classes present in
    # the ground truth (test_coco_pseudo.py); "mmseg" is mmsegmentation's IoUMetric rule
    metric_rule: Literal["original", "mmseg"] = "original"


@dataclass
class SegTrainConfig:
    """DeepLab-v2 (ResNet-101 at output stride 8, ASPP rates 6/12/18/24) trained on the pseudo labels with
    mmsegmentation, following deeplab-pytorch's VOC recipe (configs/voc12.yaml, main.py)."""

    data_root: str = "data/voc2012"
    dataset: Literal["voc", "coco"] = "voc"
    train_split: str = "ImageSets/Segmentation/train_aug.txt"
    val_split: str = "ImageSets/Segmentation/val.txt"
    image_folder: str = "JPEGImages"
    val_image_folder: str = "JPEGImages"
    val_gt_folder: str = "SegmentationClass"
    depth: int = 101
    base_channels: int = 64  # ResNet width (64: the standard network)
    # layer3 / layer4 dilated by 2 / 4 in every block (DeepLab-v2); contract_dilation would give the first
    # block of each 1 / 2 instead
    dilations: tuple[int, ...] = (1, 1, 2, 4)
    contract_dilation: bool = False
    aspp_dilations: tuple[int, ...] = (6, 12, 18, 24)
    pretrained: str = ""  # backbone weights file in torchvision's key layout ("" for none)
    pixel_mean: tuple[float, float, float] = IMAGENET_MEAN_RGB  # RGB, of the pretrained backbone
    pixel_std: tuple[float, float, float] = IMAGENET_STD_RGB
    crop_size: int = 321  # IMAGE.SIZE.TRAIN
    scales: tuple[float, ...] = DEEPLAB_SCALES  # one factor per sample, of the original image's size
    # MSC training (DeepLabV2_ResNet101_MSC): the loss also on these input scales and the max; () = full scale only
    msc_scales: tuple[float, ...] = (0.5, 0.75)
    batch_size: int = 10  # BATCH_SIZE.TRAIN 5 x ITER_SIZE 2
    max_steps: int = 20000  # ITER_MAX
    lr: float = 2.5e-4
    head_lr_mult: float = 10.0  # ASPP weights
    head_bias_lr_mult: float = 20.0  # ASPP biases, without weight decay
    momentum: float = 0.9
    weight_decay: float = 5e-4
    poly_power: float = 0.9
    poly_interval: int = 10  # LR_DECAY: the learning rate is updated every 10 iterations
    val_interval: int = 2000
    # evaluation over these scales (and their flips): "mean_prob" averages the softmax; "max_logit" takes the
    # pixel-wise max of the logits, as deeplab-pytorch's MSC model (scales 1.0, 0.5, 0.75) predicts; CRF needs
    # pydensecrf2
    test_scales: tuple[float, ...] = (1.0,)
    test_flip: bool = False
    test_fusion: Literal["mean_prob", "max_logit"] = "mean_prob"
    crf: bool = False
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
