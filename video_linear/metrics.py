"""Top-k accuracy, multi-view ensembling and Charades mAP, reducing exactly as the original code.

- `topks_correct`, `topk_accuracies`: `slowfast/utils/metrics.py` (same names).
- `ensemble_views`: the prediction ensemble of `slowfast/utils/meters.py:TestMeter.update_stats`
  (clip `i` belongs to video `i // num_clips`; "sum" adds the clips' scores, "max" takes the maximum;
  multi-label tables start at -1e10 as there).
- `multiview_topk`: `TestMeter.finalize_metrics` for single-label data (percentages).
- `mean_average_precision`: `slowfast/utils/meters.py:get_map` (classes without a positive are
  dropped; sklearn's average precision per class, then the mean).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from sklearn.metrics import average_precision_score


def topks_correct(preds: torch.Tensor, labels: torch.Tensor, ks: Sequence[int]) -> list[torch.Tensor]:
    """Number of samples whose label is among the top-k scores, for each k. preds: n, classes; labels: n."""
    if preds.size(0) != labels.size(0):
        raise ValueError(f"preds has {preds.size(0)} rows but labels has {labels.size(0)}")
    top = preds.topk(max(ks), dim=1, largest=True, sorted=True).indices.t()  # k, n
    correct = top.eq(labels.view(1, -1).expand_as(top))
    return [correct[:k].float().sum() for k in ks]


def topk_accuracies(preds: torch.Tensor, labels: torch.Tensor, ks: Sequence[int]) -> list[torch.Tensor]:
    """Top-k accuracy in percent for each k."""
    return [x / preds.size(0) * 100.0 for x in topks_correct(preds, labels, ks)]


def ensemble_views(preds: torch.Tensor, labels: torch.Tensor, clip_ids: torch.Tensor, num_videos: int,
                   num_clips: int, method: str = "sum", multi_label: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """Video-level scores and labels from per-clip scores. preds: clips, classes; clip_ids: clips."""
    if method not in ("sum", "max"):
        raise ValueError(f"ensemble method: expected 'sum' or 'max', got {method!r}")
    video_preds = torch.zeros(num_videos, preds.size(1), dtype=preds.dtype)
    if multi_label:
        video_preds -= 1e10
    video_labels = torch.zeros(num_videos, preds.size(1)) if multi_label else torch.zeros(num_videos, dtype=torch.long)
    vid = (clip_ids.long() // num_clips).cpu()
    if int(vid.max()) >= num_videos:
        raise ValueError(f"clip id {int(clip_ids.max())} is beyond {num_videos} videos x {num_clips} clips")
    preds, labels = preds.detach().cpu(), labels.detach().cpu()
    if method == "sum":
        video_preds.index_add_(0, vid, preds)
    else:
        video_preds.scatter_reduce_(0, vid[:, None].expand_as(preds), preds, "amax", include_self=True)
    video_labels[vid] = labels.to(video_labels.dtype)
    return video_preds, video_labels


def multiview_topk(preds, labels, clip_ids, num_videos, num_clips, ks=(1, 5), method="sum") -> dict[str, float]:
    """Top-k accuracy (percent) of the ensembled video predictions, keyed `top{k}_acc`."""
    video_preds, video_labels = ensemble_views(preds, labels, clip_ids, num_videos, num_clips, method)
    return {f"top{k}_acc": float(v) for k, v in zip(ks, topk_accuracies(video_preds, video_labels, ks), strict=True)}


def mean_average_precision(preds: np.ndarray, labels: np.ndarray) -> float:
    """Charades mAP. preds, labels: videos, classes (labels binary)."""
    preds, labels = np.asarray(preds), np.asarray(labels)
    keep = ~np.all(labels == 0, axis=0)
    preds, labels = preds[:, keep], labels[:, keep]
    try:
        aps = average_precision_score(labels, preds, average=None)
    except ValueError:  # too few samples, as the original: the mAP is then 0
        aps = [0]
    return float(np.mean(aps))
