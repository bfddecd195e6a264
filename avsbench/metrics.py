"""AVSBench metrics, reducing exactly as the original `avs_scripts/avs_s4/utils/utility.py`.

`pred` holds probabilities (the original applies the sigmoid to logits itself: pass
`torch.sigmoid(logits)` here); `target` is binary, or soft as the original's MS3 loader reads grey
masks (values in [0, 1]; the original's sums then weight each pixel by its value). Both (N, H, W).
"""

from __future__ import annotations

import torch


def _check(pred: torch.Tensor, target: torch.Tensor) -> None:
    if pred.ndim != 3 or pred.shape != target.shape:
        raise ValueError(f"pred and target must both be (N, H, W); got {tuple(pred.shape)} and {tuple(target.shape)}")


def jaccard(pred: torch.Tensor, target: torch.Tensor, eps: float = 1e-7) -> torch.Tensor:
    """`mask_iou`: mean over frames of IoU(pred > 0.5, target).

    A frame whose ground truth is empty scores the IoU of the background instead
    (pixels both call background / all pixels).
    """
    _check(pred, target)
    n, hw = pred.shape[0], pred.shape[1] * pred.shape[2]
    pred_b = (pred > 0.5).flatten(1).to(target.dtype)
    target_f = target.flatten(1)
    inter = (pred_b * target_f).sum(1)
    union = torch.maximum(pred_b, target_f).sum(1)
    empty = target_f.sum(1) == 0
    inter = torch.where(empty, ((1 - target_f) * (1 - pred_b)).sum(1), inter)
    union = torch.where(empty, torch.full_like(union, hw), union)
    return torch.sum(inter / (union + eps)) / n


def f_score(pred: torch.Tensor, target: torch.Tensor, beta2: float = 0.3, num_thresholds: int = 255) -> float:
    """`Eval_Fmeasure`: max over thresholds of the frame-averaged F_beta curve.

    Thresholds: `linspace(0, 1 - 1e-10, 255)` in float32 (so the last one is 1.0); per frame
    precision = tp / (#pred + 1e-20), recall = tp / (#gt + 1e-20); NaN F counts 0; frames with an
    empty ground truth are skipped; 0.0 when every frame is empty.
    """
    _check(pred, target)
    thresholds = torch.linspace(0, 1 - 1e-10, num_thresholds)  # float32, as the original
    pred = pred.float().flatten(1)
    target = target.float().flatten(1)
    total = torch.zeros(num_thresholds, dtype=torch.float32)
    frames = 0
    for p, t in zip(pred, target, strict=True):
        if torch.mean(t) == 0.0:
            continue
        # counts (and target mass) of pixels with p >= threshold, without a (thresholds x pixels) mask
        order = torch.argsort(p)
        sorted_all = p[order]
        first = torch.searchsorted(sorted_all, thresholds, right=False)  # first pixel with p >= threshold
        num_pred = (p.numel() - first).float()
        mass_above = torch.cat([torch.flip(torch.cumsum(torch.flip(t[order], [0]), 0), [0]), t.new_zeros(1)])
        tp = mass_above[first]
        precision = tp / (num_pred + 1e-20)
        recall = tp / (t.sum() + 1e-20)
        f = (1 + beta2) * precision * recall / (beta2 * precision + recall)
        total += torch.nan_to_num(f, nan=0.0)
        frames += 1
    if frames == 0:
        return 0.0
    return (total / frames).max().item()
