"""Factories of the experiments: the paper's settings with paths from the one data root and weights root."""

from __future__ import annotations

from dataclasses import replace

from sam_wsss.config import (
    DataConfig,
    DetectorConfig,
    Experiment,
    PromptConfig,
    PseudoConfig,
    SegmenterConfig,
    SegTrainConfig,
)
from shared import paths

# torchvision's ImageNet ResNet-101 (IMAGENET1K_V1), the segmenter's initialisation
RESNET101 = ("torchvision", "resnet101-63fe2227.pth")
# deeplab-pytorch's evaluation: its MSC model's pixel-wise max of the logits at these scales
MSC_TEST = dict(test_scales=(1.0, 0.5, 0.75), test_fusion="max_logit")


def detector() -> DetectorConfig:
    """Grounding DINO Swin-T OGC with the thresholds of run_pascal.sh / run_coco.sh."""
    return DetectorConfig(kind="swint_ogc", weights=str(paths.weights("groundingdino", "groundingdino_swint_ogc.pth")),
                          tokenizer=str(paths.weights("bert-base-uncased")), box_threshold=0.3, text_threshold=0.25)


def segmenter() -> SegmenterConfig:
    return SegmenterConfig(kind="vit_h", weights=str(paths.weights("sam", "sam_vit_h_4b8939.pth")))


def voc_experiment() -> Experiment:
    """PASCAL VOC 2012: labels for the 10,582 train_aug images, scored on the 1,464 train images; DeepLab-v2
    trained on them and scored on the 1,449 val images."""
    root = str(paths.dataset("voc2012"))
    data = DataConfig(dataset="voc", data_root=root, split="train_aug", cls_labels="",
                      gt_folder="SegmentationClassAug", eval_split="train", eval_gt_folder="SegmentationClass")
    pseudo = PseudoConfig(data=data, prompt=PromptConfig(vocabulary="voc"), detector=detector(),
                          segmenter=segmenter(), out_dir="runs/sam_wsss/voc/pseudo_labels")
    train = SegTrainConfig(data_root=root, dataset="voc", train_split="ImageSets/Segmentation/train_aug.txt",
                           val_split="ImageSets/Segmentation/val.txt", pretrained=str(paths.weights(*RESNET101)),
                           crop_size=321, batch_size=10, max_steps=20000, work_dir="runs/sam_wsss/voc/deeplabv2",
                           **MSC_TEST)
    return Experiment(name="voc", pseudo=pseudo, train=train)


def coco_experiment() -> Experiment:
    """MS-COCO 2014: labels for the 82,081 train2014 images that have annotations (the original's
    metadata/coco/train.txt), scored on the same; DeepLab-v2 scored on the 40,137 val images."""
    root = paths.dataset("coco2014")
    data = DataConfig(dataset="coco", data_root=str(root), split=str(root / "train.txt"),
                      instances_json=str(root / "annotations" / "instances_train2014.json"),
                      gt_folder="coco_seg_anno", eval_split=str(root / "train.txt"), eval_gt_folder="coco_seg_anno")
    pseudo = PseudoConfig(data=data, prompt=PromptConfig(vocabulary="coco"), detector=detector(),
                          segmenter=segmenter(), out_dir="runs/sam_wsss/coco/pseudo_labels")
    train = SegTrainConfig(data_root=str(root), dataset="coco", train_split="train.txt", val_split="val.txt",
                           image_folder="train2014", val_image_folder="val2014", val_gt_folder="coco_seg_anno",
                           pretrained=str(paths.weights(*RESNET101)), crop_size=481, batch_size=10,
                           max_steps=100000, val_interval=10000, work_dir="runs/sam_wsss/coco/deeplabv2",
                           **MSC_TEST)
    return Experiment(name="coco", pseudo=pseudo, train=train)


def smoke_experiment(data_root: str = "runs/sam_wsss/smoke/data/voc2012") -> Experiment:
    """CPU, about a minute: tiny random Grounding DINO and SAM, a DeepLab-v2 with a ResNet-18 trunk of width 8,
    trained at full scale only (MSC on 48 px crops leaves 3x3 logit maps; tests/sam_wsss cover MSC instead)."""
    base = voc_experiment()
    data = replace(base.pseudo.data, data_root=data_root, split="train")
    pseudo = replace(base.pseudo, data=data,
                     detector=replace(base.pseudo.detector, kind="tiny", size=128, max_size=200),
                     segmenter=replace(base.pseudo.segmenter, kind="tiny"), overlays=4, device="cpu",
                     out_dir="runs/sam_wsss/smoke/pseudo_labels")
    train = replace(base.train, data_root=data_root, train_split="ImageSets/Segmentation/train.txt", depth=18,
                    base_channels=8, pretrained="", crop_size=48, scales=(0.75, 1.0, 1.25), msc_scales=(),
                    test_scales=(1.0,), test_fusion="mean_prob", batch_size=4,
                    max_steps=60, lr=0.01, val_interval=60, num_workers=0, log_level="ERROR",
                    work_dir="runs/sam_wsss/smoke/deeplabv2")
    return Experiment(name="smoke", pseudo=pseudo, train=train)
