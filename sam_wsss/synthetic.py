"""A tiny PASCAL VOC 2012 tree with known masks, written in the official layout (for tests and the smoke run).

Each image is a crop of a real scikit-image photo with one or two objects painted on it: a filled disc or box
whose colour and texture depend on its class. Ground truth marks the objects' classes, with a one-pixel ignore
(255) band on their outlines as VOC's annotations have. Annotations/<id>.xml names each object in VOC's XML
format (a person gets a <part> named "head", a second object is marked difficult, as real files have).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from scipy import ndimage

from sam_wsss.classes import IGNORE_INDEX, VOC_CLASSES
from sam_wsss.label_map import save_label_png

# classes used: cat (8), dog (12), person (15), with a base colour each
CLASS_COLOURS = {8: (220, 60, 40), 12: (40, 90, 220), 15: (230, 210, 60)}


def _backgrounds() -> list[np.ndarray]:
    import skimage.data

    return [skimage.data.grass(), skimage.data.gravel(), skimage.data.brick(), skimage.data.camera()]


def _draw(rng: np.random.Generator, size: int | tuple[int, int], background: np.ndarray,
          ) -> tuple[np.ndarray, np.ndarray]:
    h, w = (size, size) if isinstance(size, int) else size
    square = h == w  # square images draw as they always did, so the smoke data stays the same
    y0, x0 = rng.integers(0, background.shape[0] - h, 2) if square else rng.integers(
        0, [background.shape[0] - h, background.shape[1] - w])
    gray = background[y0:y0 + h, x0:x0 + w].astype(np.float32) * 0.6
    image = np.repeat(gray[..., None], 3, axis=2)
    mask = np.zeros((h, w), dtype=np.uint8)
    yy, xx = np.mgrid[:h, :w]
    for label in rng.choice(list(CLASS_COLOURS), size=rng.integers(1, 3), replace=False):
        r = rng.integers(min(h, w) // 8, min(h, w) // 4)
        cy, cx = rng.integers(r, h - r, 2) if square else rng.integers(r, [h - r, w - r])
        if rng.random() < 0.5:
            shape = (yy - cy) ** 2 + (xx - cx) ** 2 <= r ** 2
        else:
            shape = (abs(yy - cy) <= r) & (abs(xx - cx) <= int(r * 0.8))
        colour = np.array(CLASS_COLOURS[int(label)], dtype=np.float32)
        image[shape] = colour + rng.normal(0, 12, (int(shape.sum()), 3))
        mask[shape] = label
    outline = ndimage.morphological_gradient(mask, size=2) > 0
    mask[outline & (mask > 0)] = IGNORE_INDEX
    return np.clip(image, 0, 255).astype(np.uint8), mask


def voc_xml(image_id: str, size: tuple[int, int], objects: list[tuple[int, tuple[int, int, int, int]]]) -> str:
    """A VOC 2012 annotation: one <object> per (1-based class, (xmin, ymin, xmax, ymax)) box."""
    height, width = size
    parts = [f"<annotation><folder>VOC2012</folder><filename>{image_id}.jpg</filename>",
             f"<size><width>{width}</width><height>{height}</height><depth>3</depth></size><segmented>1</segmented>"]
    for n, (label, (x0, y0, x1, y1)) in enumerate(objects):
        name = VOC_CLASSES[label - 1]
        box = f"<bndbox><xmin>{x0}</xmin><ymin>{y0}</ymin><xmax>{x1}</xmax><ymax>{y1}</ymax></bndbox>"
        part = f"<part><name>head</name>{box}</part>" if name == "person" else ""
        parts.append(f"<object><name>{name}</name><pose>Unspecified</pose><truncated>0</truncated>"
                     f"<difficult>{int(n > 0)}</difficult>{box}{part}</object>")
    return "".join(parts) + "</annotation>\n"


def _boxes(mask: np.ndarray) -> list[tuple[int, tuple[int, int, int, int]]]:
    out = []
    for label in sorted(int(v) for v in np.unique(mask) if 0 < v < IGNORE_INDEX):
        ys, xs = np.nonzero(mask == label)
        out.append((label, (int(xs.min()) + 1, int(ys.min()) + 1, int(xs.max()) + 1, int(ys.max()) + 1)))
    return out


def write_tiny_voc(root: str | Path, n_train: int = 8, n_val: int = 4, size: int | tuple[int, int] = 64,
                   seed: int = 0) -> Path:
    """Write <root>/voc2012 (the VOC2012 folder) with splits train/val, Annotations, SegmentationClass(+Aug)
    and cls_labels.npy; `size`: a side, or (height, width) such as VOC's usual (375, 500)."""
    voc = Path(root) / "voc2012"
    for sub in ("JPEGImages", "Annotations", "SegmentationClass", "SegmentationClassAug", "ImageSets/Segmentation"):
        (voc / sub).mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    backgrounds = _backgrounds()
    cls_labels = {}
    for split, count in (("train", n_train), ("val", n_val)):
        ids = [f"2012_{split}{i:04d}" for i in range(count)]
        for image_id in ids:
            image, mask = _draw(rng, size, backgrounds[int(rng.integers(len(backgrounds)))])
            Image.fromarray(image).save(voc / "JPEGImages" / f"{image_id}.jpg", quality=95)
            save_label_png(mask, voc / "SegmentationClass" / f"{image_id}.png")
            save_label_png(mask, voc / "SegmentationClassAug" / f"{image_id}.png")
            (voc / "Annotations" / f"{image_id}.xml").write_text(voc_xml(image_id, mask.shape, _boxes(mask)))
            hot = np.zeros(20, dtype=np.float32)
            hot[[v - 1 for v in np.unique(mask) if 0 < v < 21]] = 1
            cls_labels[image_id] = hot
        (voc / "ImageSets" / "Segmentation" / f"{split}.txt").write_text("".join(i + "\n" for i in ids))
    np.save(voc / "cls_labels.npy", cls_labels, allow_pickle=True)
    return voc


def example_loss(model: torch.nn.Module, cfg, device: torch.device | str, batch: int = 1) -> torch.Tensor:
    """The segmenter's training loss on one generated batch of crops at the config's crop size: with MSC
    (`train.msc_scales`) deeplab-pytorch's sum over scales (`mmseg_modules.msc_loss`), else cross-entropy of the
    upsampled logits, averaged over the labelled pixels (mmseg's CrossEntropyLoss, avg_non_ignore)."""
    from sam_wsss.model import num_classes_of

    model.train()
    size = cfg.train.crop_size
    images = torch.rand(batch, 3, size, size, device=device)
    labels = torch.randint(0, num_classes_of(cfg), (batch, size, size), device=device)
    if cfg.train.msc_scales:
        from sam_wsss.mmseg_modules import msc_loss

        return sum(msc_loss(model, images, labels, tuple(cfg.train.msc_scales)).values())
    logits = model.decode_head(model.extract_feat(images))
    logits = F.interpolate(logits, size=(size, size), mode="bilinear", align_corners=False)
    return F.cross_entropy(logits, labels, ignore_index=IGNORE_INDEX)
