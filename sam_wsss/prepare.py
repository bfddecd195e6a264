"""Download and lay out the data and weights the full runs read (needs the internet; it cannot run offline).

    python -m sam_wsss.prepare --dataset voc     # -> data/voc2012, weights/...
    python -m sam_wsss.prepare --dataset coco    # -> data/coco2014, weights/...
(`--data-root` / `--weights-root`, or REPRO_DATA / REPRO_WEIGHTS, move both roots.)

PASCAL VOC 2012 (-> data/voc2012, the VOC2012 folder of the tar):
  VOCtrainval_11-May-2012.tar from http://host.robots.ox.ac.uk/pascal/VOC/voc2012/ (JPEGImages, Annotations,
  SegmentationClass, ImageSets/Segmentation/{train,val}.txt), and the SBD-augmented labels
  SegmentationClassAug (10,582 images; SegmentationClassAug.zip as distributed with DeepLab / IRN, from
  Hariharan et al.'s SBD) with train_aug.txt, which this script writes from the Aug folder minus val.
  cls_labels.npy, the image-level labels of train_aug + val, is written from the XML annotations by the rule
  PSA's make_cls_labels.py made the original's metadata/pascal/cls_labels.npy with (`data.labels_from_xml`).
MS-COCO 2014 (-> data/coco2014): train2014.zip, val2014.zip and annotations_trainval2014.zip from
  http://images.cocodataset.org/; train.txt / val.txt list the ids of the images with at least one annotation
  (82,081 / 40,137, as the original's metadata/coco lists); coco_seg_anno/<12 digits>.png are 81-class index
  maps painted from the instance masks (this script, `coco_masks`).
Weights (-> weights/<release>/): sam/sam_vit_h_4b8939.pth (https://dl.fbaipublicfiles.com/segment_anything/),
  groundingdino/groundingdino_swint_ogc.pth (https://github.com/IDEA-Research/GroundingDINO/releases/tag/v0.1.0-alpha),
  bert-base-uncased/{vocab.txt, tokenizer_config.json} (https://huggingface.co/bert-base-uncased) for the
  Grounding DINO text encoder's tokenizer, and torchvision/resnet101-63fe2227.pth (torchvision's ImageNet
  ResNet-101, https://download.pytorch.org/models/) to initialise DeepLab-v2.
"""

from __future__ import annotations

import argparse
import tarfile
import urllib.request
import zipfile
from pathlib import Path

import numpy as np

from sam_wsss.classes import COCO_CATEGORY_IDS, IGNORE_INDEX
from sam_wsss.data import annotated_image_stems, labels_from_xml
from sam_wsss.label_map import save_label_png
from shared import paths

VOC_URL = "http://host.robots.ox.ac.uk/pascal/VOC/voc2012/VOCtrainval_11-May-2012.tar"
VOC_AUG_URL = "https://www.dropbox.com/s/oeu149j8qtbs1x0/SegmentationClassAug.zip?dl=1"
COCO_URLS = [f"http://images.cocodataset.org/zips/{n}2014.zip" for n in ("train", "val")] + [
    "http://images.cocodataset.org/annotations/annotations_trainval2014.zip"]
WEIGHT_URLS = {
    "sam/sam_vit_h_4b8939.pth": "https://dl.fbaipublicfiles.com/segment_anything/sam_vit_h_4b8939.pth",
    "groundingdino/groundingdino_swint_ogc.pth":
        "https://github.com/IDEA-Research/GroundingDINO/releases/download/v0.1.0-alpha/groundingdino_swint_ogc.pth",
    "bert-base-uncased/vocab.txt": "https://huggingface.co/bert-base-uncased/resolve/main/vocab.txt",
    "bert-base-uncased/tokenizer_config.json":
        "https://huggingface.co/bert-base-uncased/resolve/main/tokenizer_config.json",
    "torchvision/resnet101-63fe2227.pth": "https://download.pytorch.org/models/resnet101-63fe2227.pth",
}


def download(url: str, target: Path) -> Path:
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    print(f"downloading {url}")
    tmp = target.with_name(target.name + ".part")
    urllib.request.urlretrieve(url, tmp)
    tmp.replace(target)
    return target


def write_cls_labels(voc: Path, ids: list[str]) -> Path:
    """cls_labels.npy: {id: float32[20] multi-hot} from Annotations/<id>.xml, the original's file format."""
    table = {}
    for image_id in ids:
        hot = np.zeros(20, dtype=np.float32)
        hot[[c - 1 for c in labels_from_xml(voc / "Annotations" / f"{image_id}.xml")]] = 1.0
        table[image_id] = hot
    np.save(voc / "cls_labels.npy", table, allow_pickle=True)
    return voc / "cls_labels.npy"


def prepare_voc(root: Path) -> None:
    tar = download(VOC_URL, root / "downloads" / "VOCtrainval_11-May-2012.tar")
    voc = root / "voc2012"
    if not (voc / "JPEGImages").is_dir():
        with tarfile.open(tar) as f:
            f.extractall(root / "downloads", filter="data")
        (root / "downloads" / "VOCdevkit" / "VOC2012").rename(voc)
    aug = download(VOC_AUG_URL, root / "downloads" / "SegmentationClassAug.zip")
    if not (voc / "SegmentationClassAug").is_dir():
        with zipfile.ZipFile(aug) as f:
            f.extractall(voc)
    val = set((voc / "ImageSets" / "Segmentation" / "val.txt").read_text().split())
    ids = sorted(p.stem for p in (voc / "SegmentationClassAug").glob("*.png") if p.stem not in val)
    (voc / "ImageSets" / "Segmentation" / "train_aug.txt").write_text("".join(i + "\n" for i in ids))
    write_cls_labels(voc, ids + sorted(val))
    print(f"{voc}: {len(ids)} train_aug images, cls_labels.npy for train_aug + val")


def coco_masks(instances_json: Path, out_dir: Path) -> None:
    """81-class index maps from instance annotations: instances painted in annotation order (later ones win),
    crowd regions ignored (255)."""
    from pycocotools.coco import COCO

    coco = COCO(str(instances_json))
    index = {cat: i + 1 for i, cat in enumerate(COCO_CATEGORY_IDS)}
    out_dir.mkdir(parents=True, exist_ok=True)
    for image_id, info in coco.imgs.items():
        target = out_dir / f"{Path(info['file_name']).stem.rsplit('_', 1)[-1]}.png"
        if target.exists():
            continue
        label = np.zeros((info["height"], info["width"]), np.uint8)
        for ann in coco.loadAnns(coco.getAnnIds(imgIds=image_id)):
            mask = coco.annToMask(ann).astype(bool)
            label[mask] = IGNORE_INDEX if ann.get("iscrowd") else index[ann["category_id"]]
        save_label_png(label, target)


def prepare_coco(root: Path) -> None:
    coco = root / "coco2014"
    for url in COCO_URLS:
        archive = download(url, root / "downloads" / url.rsplit("/", 1)[-1])
        with zipfile.ZipFile(archive) as f:
            first = f.namelist()[0].split("/")[0]
            if not (coco / first).exists():
                f.extractall(coco)
    for split in ("train", "val"):
        instances = coco / "annotations" / f"instances_{split}2014.json"
        ids = annotated_image_stems(instances)  # images without annotations are left out, as the original's lists
        (coco / f"{split}.txt").write_text("".join(i + "\n" for i in ids))
        coco_masks(instances, coco / "coco_seg_anno")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", choices=["voc", "coco"], required=True)
    parser.add_argument("--data-root", type=Path, default=None, help=f"default ${paths.DATA_ENV} or data")
    parser.add_argument("--weights-root", type=Path, default=None, help=f"default ${paths.WEIGHTS_ENV} or weights")
    args = parser.parse_args(argv)
    weights = args.weights_root or paths.weights_root()
    for name, url in WEIGHT_URLS.items():
        download(url, weights / name)
    (prepare_voc if args.dataset == "voc" else prepare_coco)(args.data_root or paths.data_root())


if __name__ == "__main__":
    main()
