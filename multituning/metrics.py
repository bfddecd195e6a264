"""Classification metrics, as plain functions over predicted and true labels.

No evaluation code of the paper is public; top-1 accuracy is computed as in torchvision's reference
scripts (references/classification/utils.py, `accuracy`: correct predictions / samples), and the
per-class mean as FGVC-Aircraft's benchmark reports it (the mean over classes of each class's accuracy).
"""

from __future__ import annotations

import math

import torch


def _check(pred: torch.Tensor, target: torch.Tensor) -> None:
    if pred.shape != target.shape or pred.dim() != 1:
        raise ValueError(f"pred and target must be 1-D of the same length, got {tuple(pred.shape)} and "
                         f"{tuple(target.shape)}")
    if pred.numel() == 0:
        raise ValueError("accuracy of an empty set is undefined: no predictions given")


def top1_accuracy(pred: torch.Tensor, target: torch.Tensor) -> float:
    """Fraction of samples whose predicted label equals the true one."""
    _check(pred, target)
    return (pred == target).double().mean().item()


def mean_class_accuracy(pred: torch.Tensor, target: torch.Tensor) -> float:
    """Mean over the classes present in `target` of the accuracy within that class."""
    _check(pred, target)
    classes, inverse = target.unique(return_inverse=True)
    correct = torch.zeros(len(classes), dtype=torch.float64).index_add_(0, inverse, (pred == target).double())
    counts = torch.bincount(inverse, minlength=len(classes)).double()
    return (correct / counts).mean().item()


def oracle_accuracy(member_preds: torch.Tensor, target: torch.Tensor) -> float:
    """Fraction of samples that at least one member (member_preds: K, n) classifies correctly."""
    _check(member_preds[0], target)
    return (member_preds == target).any(0).double().mean().item()


SUMMARISED = ("amf_accuracy", "standard_finetune", "uniform_fusion_accuracy", "amf_minus_standard",
              "amf_minus_uniform", "best_single_accuracy", "oracle_accuracy", "baseline")


def mean_sd(values: list[float]) -> dict:
    """Mean, sample standard deviation (n - 1; 0 for one value), n and the values themselves."""
    if not values:
        raise ValueError("mean_sd: no values")
    n = len(values)
    mean = sum(values) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1)) if n > 1 else 0.0
    return {"mean": mean, "sd": sd, "n": n, "values": list(values)}


def seed_summary(results: list[dict], keys: tuple[str, ...] = SUMMARISED) -> dict:
    """Each quantity of several runs' results.json (one per seed) as mean ± sd."""
    return {key: mean_sd([float(r[key]) for r in results]) for key in keys}
