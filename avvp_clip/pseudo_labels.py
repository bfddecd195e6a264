"""Segment-level visual pseudo labels: thresholded CLIP probabilities, richness targets, label denoising.

- generation: a segment has class c when CLIP's probability of c (softmax over the 25 prompted classes)
  is >= the threshold and c is in the video's label;
- richness: category richness of segment t = its number of pseudo classes / the video's number of
  classes; segment richness of class c = its number of pseudo segments / T. The loss asks the model's
  visual segment probabilities to reproduce both (binary cross-entropy on the ratios);
- denoising: with a model trained on the pseudo labels, the forward binary cross-entropy of each
  (segment, class) is computed; for each class of the video, the `top_k` segments with the largest
  loss, among those whose loss is at least `min_loss`, are flipped (0 <-> 1), within the video's classes.
"""

from __future__ import annotations

from contextlib import nullcontext

import torch
import torch.nn.functional as F

from shared.parallel import per_process_share

EPS = 1e-7


def bce(prob: torch.Tensor, target: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    """Binary cross-entropy on probabilities clamped to [1e-7, 1 - 1e-7] (as main_avvp.py), always in fp32:
    F.binary_cross_entropy is refused under CUDA autocast."""
    # autocast knows no "meta" device (shape checks run there)
    no_autocast = torch.autocast(prob.device.type, enabled=False) if prob.device.type != "meta" else nullcontext()
    with no_autocast:
        return F.binary_cross_entropy(prob.float().clamp(EPS, 1 - EPS), target.float(), reduction=reduction)


def generate(clip_prob: torch.Tensor, video_label: torch.Tensor, threshold: float) -> torch.Tensor:
    """clip_prob (N, T, C), video_label (N, C) -> pseudo labels (N, T, C) in {0, 1}."""
    return ((clip_prob >= threshold).float() * video_label[:, None, :]).float()


def richness(labels: torch.Tensor, video_label: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Category richness per segment (N, T) and segment richness per class (N, C) of (soft) labels (N, T, C);
    only the video's classes count."""
    masked = labels * video_label[:, None, :]
    category = masked.sum(-1) / video_label.sum(-1, keepdim=True).clamp(min=1)
    segment = masked.mean(1)
    return category, segment


def richness_loss(visual_prob: torch.Tensor, pseudo: torch.Tensor, video_label: torch.Tensor) -> torch.Tensor:
    """BCE between the richness of the visual segment probabilities (N, T, C) and of the pseudo labels;
    segment richness is compared on the video's classes only."""
    pred_cat, pred_seg = richness(visual_prob, video_label)
    tgt_cat, tgt_seg = richness(pseudo, video_label)
    loss_cat = bce(pred_cat, tgt_cat)
    per_class = bce(pred_seg, tgt_seg, reduction="none")
    # normalised by the whole global batch's count, so that N processes train as one (shared.parallel)
    loss_seg = (per_class * video_label).sum() / per_process_share(video_label.sum(), min_total=1)
    return loss_cat + loss_seg


def forward_loss(visual_prob: torch.Tensor, pseudo: torch.Tensor) -> torch.Tensor:
    """Element-wise binary cross-entropy (N, T, C) of the model's visual segment probabilities."""
    return bce(visual_prob, pseudo, reduction="none")


def denoise(pseudo: torch.Tensor, loss: torch.Tensor, video_label: torch.Tensor, top_k: int, min_loss: float
            ) -> torch.Tensor:
    """Flip, per video and class of the video, the `top_k` segments of largest forward loss (>= min_loss)."""
    if top_k <= 0:
        return pseudo.clone()
    t = pseudo.shape[1]
    loss = loss.masked_fill(video_label[:, None, :] == 0, float("-inf"))  # classes outside the video stay 0
    top = loss.topk(min(top_k, t), dim=1)  # over segments: N, k, C
    flip = torch.zeros_like(pseudo, dtype=torch.bool)
    flip.scatter_(1, top.indices, top.values >= min_loss)
    return torch.where(flip, 1 - pseudo, pseudo)
