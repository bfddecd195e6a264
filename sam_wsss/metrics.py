"""Confusion-matrix mIoU of label maps against ground truth, under one of two named rules.

Ground-truth pixels outside 0..n_class-1 (the 255 ignore band) are left out under both. They differ in which
classes enter the mean:
- "original": test_coco_pseudo.py (`_fast_hist`, `scores`) in weixuansun/wsss_sam, the usual evaluation of WSSS
  code: the classes that occur in the ground truth (a class only predicted counts in the other classes' unions,
  never in the mean). The default for pseudo labels.
- "mmseg": mmsegmentation's IoUMetric: every class whose union is not empty (a class only predicted enters
  with IoU 0). The default for the segmentation network.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable

import numpy as np


def confusion_matrix(gt: np.ndarray, pred: np.ndarray, n_class: int) -> np.ndarray:
    """(n_class, n_class) int64 counts, rows ground truth, columns prediction (`_fast_hist`)."""
    gt = np.asarray(gt).reshape(-1).astype(np.int64)
    pred = np.asarray(pred).reshape(-1).astype(np.int64)
    if gt.shape != pred.shape:
        raise ValueError(f"ground truth has {gt.size} pixels, prediction {pred.size}")
    keep = (gt >= 0) & (gt < n_class)
    if (pred[keep] >= n_class).any() or (pred[keep] < 0).any():
        raise ValueError(f"prediction holds values outside 0..{n_class - 1} on labelled pixels")
    return np.bincount(n_class * gt[keep] + pred[keep], minlength=n_class**2).reshape(n_class, n_class)


def accumulate(pairs: Iterable[tuple[np.ndarray, np.ndarray]], n_class: int) -> np.ndarray:
    hist = np.zeros((n_class, n_class), dtype=np.int64)
    for gt, pred in pairs:
        hist += confusion_matrix(gt, pred, n_class)
    return hist


RULES = ("original", "mmseg")


def scores(hist: np.ndarray, rule: str = "original") -> dict:
    """Pixel accuracy, mean class accuracy, frequency-weighted IoU, mIoU (under `rule`) and per-class IoU."""
    if rule not in RULES:
        raise ValueError(f"mIoU rule {rule!r} unknown; expected one of {RULES}")
    hist = hist.astype(np.float64)
    diag, gt_total, pred_total = np.diag(hist), hist.sum(axis=1), hist.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # nanmean of no classes: nan, as the original
        acc = diag.sum() / hist.sum()
        acc_cls = np.nanmean(diag / gt_total)
        iou = diag / (gt_total + pred_total - diag)
        valid = gt_total > 0 if rule == "original" else (gt_total + pred_total - diag) > 0
        miou = np.nanmean(iou[valid]) if valid.any() else float("nan")
        freq = gt_total / hist.sum()
    fwavacc = (freq[freq > 0] * iou[freq > 0]).sum()
    return {
        "pixel_accuracy": float(acc),
        "mean_accuracy": float(acc_cls),
        "fw_iou": float(fwavacc),
        "miou": float(miou),
        "miou_rule": rule,
        "class_iou": [float(v) for v in iou],
    }


def mean_iou(pairs: Iterable[tuple[np.ndarray, np.ndarray]], n_class: int, rule: str = "original") -> dict:
    return scores(accumulate(pairs, n_class), rule)
