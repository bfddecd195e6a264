"""Localisation metrics of the original evaluation (OpenNLPLab/FNAC_AVL utils.py `Evaluator`,
`normalize_img`; datasets.py `bbox2gtmap`; the thresholding in train.py `validate` / test.py `validate`).

Per image: min-max normalise the (224, 224) heatmap, binarise it at the value of rank int(224*224/2) of
its sorted pixels (the upper median, so about half of the image is predicted), and compute
    cIoU = |pred ∩ gt| / (|gt| + |pred \\ gt|)
where gt is the soft ground-truth map (Flickr: annotator consensus, 0.5 for one annotator's box).
Over images:
    cIoU (the number in the papers' tables) = fraction of images with cIoU >= 0.5 (`finalize_AP50`;
        train.py's `validate` returns it as "cIoU"),
    AUC = trapezoidal area under (t, fraction of images with cIoU >= t), t = 0, 0.05, ..., 1
        (`finalize_AUC`, sklearn.metrics.auc),
    mean_cIoU = the plain mean of per-image cIoU (`finalize_cIoU`, printed as "Avg-cIoU" by test.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F

GT_SIZE = 224
AUC_THRESHOLDS = np.array([0.05 * i for i in range(21)])


def boxes_to_gt_map(boxes: Sequence[Sequence[int]], box_format: str, size: int = GT_SIZE) -> np.ndarray:
    """Ground-truth map (size, size) from boxes (xmin, ymin, xmax, ymax) in 224-pixel coordinates.

    'flickr': each box is one annotator's; the map counts boxes per pixel, halves it and clips at 1
    (consensus of the two annotators). 'vggss': the union of the boxes.
    """
    gt = np.zeros((size, size))
    for box in boxes:
        if len(box) != 4:
            raise ValueError(f"box {list(box)}: expected 4 values (xmin, ymin, xmax, ymax)")
        xmin, ymin, xmax, ymax = (int(v) for v in box)
        gt[ymin:ymax, xmin:xmax] += 1
    if box_format == "flickr":
        gt = np.minimum(gt / 2, 1.0)
    elif box_format == "vggss":
        gt[gt > 0] = 1
    else:
        raise ValueError(f"box_format: expected 'flickr' or 'vggss', got {box_format!r}")
    return gt


def normalize_map(heatmap: np.ndarray) -> np.ndarray:
    """Min-max normalisation in the map's own dtype; a constant map is left as it is (`normalize_img`)."""
    lo, hi = heatmap.min(), heatmap.max()
    return (heatmap - lo) / (hi - lo) if hi - lo != 0 else heatmap


def per_image_ciou(heatmaps: np.ndarray, gt_maps: np.ndarray) -> np.ndarray:
    """cIoU of each image, (N,), with the original's median thresholding."""
    heatmaps = np.asarray(heatmaps)
    gt_maps = np.asarray(gt_maps, dtype=np.float64)
    if heatmaps.ndim != 3 or heatmaps.shape != gt_maps.shape:
        raise ValueError(f"heatmaps {heatmaps.shape} and gt_maps {gt_maps.shape}: expected two (N, H, W) arrays "
                         "of the same shape")
    n, h, w = heatmaps.shape
    k = int(h * w / 2)
    out = np.empty(n)
    for i in range(n):  # one image at a time: whole-batch temporaries would cost more in memory traffic
        pred = normalize_map(heatmaps[i])
        thr = np.partition(pred, k, axis=None)[k]  # the k-th smallest, as np.sort(pred.flatten())[k]
        infer = pred >= thr
        gt = gt_maps[i]
        # gt holds multiples of 0.5, so these float64 sums are exact in any order
        inter = gt[infer].sum()
        union = gt.sum() + np.count_nonzero(infer & (gt == 0))
        out[i] = inter / union if union else np.nan
    return out


def auc_from_cious(cious: np.ndarray) -> float:
    """Area under the success curve of `finalize_AUC` (trapezoid rule, as sklearn.metrics.auc)."""
    cious = np.asarray(cious)
    success = np.array([(cious >= t).sum() / len(cious) for t in AUC_THRESHOLDS])
    return float(np.sum((AUC_THRESHOLDS[1:] - AUC_THRESHOLDS[:-1]) * (success[1:] + success[:-1]) / 2))


def localization_scores(heatmaps: np.ndarray | torch.Tensor, gt_maps: np.ndarray | torch.Tensor) -> dict[str, float]:
    """{"cIoU": fraction of images with cIoU >= 0.5, "AUC": ..., "mean_cIoU": ...} over (N, 224, 224) arrays."""
    if isinstance(heatmaps, torch.Tensor):
        heatmaps = heatmaps.detach().cpu().numpy()
    if isinstance(gt_maps, torch.Tensor):
        gt_maps = gt_maps.detach().cpu().numpy()
    cious = per_image_ciou(heatmaps, gt_maps)
    if len(cious) == 0:
        raise ValueError("localization_scores: no images")
    return {"cIoU": float(np.mean(cious >= 0.5)), "AUC": auc_from_cious(cious), "mean_cIoU": float(np.mean(cious))}


def upsample_maps(maps: torch.Tensor, mode: str = "bicubic", size: int = GT_SIZE) -> torch.Tensor:
    """(N, h, w) model maps -> (N, size, size). 'bicubic' (align_corners=False) is train.py's `validate`;
    'bilinear' (align_corners=True) is test.py's `validate`."""
    if mode not in ("bicubic", "bilinear"):
        raise ValueError(f"interpolation: expected 'bicubic' or 'bilinear', got {mode!r}")
    align = mode == "bilinear"
    return F.interpolate(maps.unsqueeze(1).float(), size=(size, size), mode=mode, align_corners=align).squeeze(1)
