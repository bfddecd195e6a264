"""FNAC's training objective (original: model.py `FNAC.calculate_loss` and the weighting in train.py).

With normalised image maps v (b, d, h, w), audio embeddings a (b, d) and temperature tau:

    S[i, j, :, :] = <v_i, a_j> / tau                       image i against audio j at each position
    logits[i, j] = max over positions of S[i, j]           the contrastive scores (b, b)
    contrastive  = CE(logits, diag) + CE(logits^T, diag)   EZ-VSL's multiple-instance objective

False negative suppression (FNS): intra-modal adjacency matrices, row-softmaxed, are soft targets for
the cross-modal scores, so clips whose audio (or image) is alike are not pushed apart as negatives:
    fns_audio = L1(softmax(a a^T / tau), softmax(logits))              (code: fnac_loss1, "FNS-1")
    fns_image = L1(softmax(pool(v) pool(v)^T / tau), softmax(logits))  (code: fnac_loss3, "FNS-2")
True negative enhancement (TNE): the visual features of each clip's sounding region (its own map
min-max normalised and thresholded at 0.6) are compared across clips and matched to the audio adjacency:
    tne = L1(softmax(a a^T / tau), softmax(f f^T / tau))                (code: fnac_loss2)

The total is contrastive + 100 * (fns_audio + tne + fns_image); for the first `warmup_epochs` epochs only
the contrastive term is used. The adjacency targets are not detached, as in the original.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from fnac_avl.config import FNACConfig, LossConfig
from shared.parallel import all_gather_with_grad


def fnac_loss_terms(img: torch.Tensor, aud: torch.Tensor, tau: float, high_conf_thresh: float = 0.6,
                    ) -> dict[str, torch.Tensor]:
    """The four unweighted loss terms for one batch: contrastive, fns_audio, tne, fns_image."""
    b = img.shape[0]
    labels = torch.arange(b, device=img.device)
    scores = torch.einsum("nchw,mc->nmhw", img, aud) / tau  # b, b, h, w
    logits = scores.flatten(2).amax(dim=-1)  # b, b: image i vs audio j
    contrastive = F.cross_entropy(logits, labels) + F.cross_entropy(logits.t(), labels)

    aud_adj = torch.softmax(aud @ aud.t() / tau, dim=1)
    img_avg = img.mean(dim=(2, 3))  # b, d
    img_adj = torch.softmax(img_avg @ img_avg.t() / tau, dim=1)

    own = scores[labels, labels]  # b, h, w
    lo = own.amin(dim=(1, 2), keepdim=True)
    hi = own.amax(dim=(1, 2), keepdim=True)
    own = (own - lo) / (hi - lo + 1e-5)
    sounding = img * (own > high_conf_thresh).unsqueeze(1)  # b, d, h, w: features of the sounding region
    frg = sounding.flatten(2).mean(dim=-1)  # b, d (mean over all positions, as the original)
    frg_adj = torch.softmax(frg @ frg.t() / tau, dim=1)

    cross = torch.softmax(logits, dim=1)
    return {
        "contrastive": contrastive,
        "fns_audio": F.l1_loss(aud_adj, cross),
        "tne": F.l1_loss(aud_adj, frg_adj),
        "fns_image": F.l1_loss(img_adj, cross),
    }


def total_loss(terms: dict[str, torch.Tensor], cfg: LossConfig, warmup: bool) -> torch.Tensor:
    """contrastive, plus the switched-on FNAC terms with their weights once warmup is over."""
    loss = terms["contrastive"]
    if warmup:
        return loss
    for name, on, weight in (("fns_audio", cfg.fns_audio, cfg.w_fns_audio), ("tne", cfg.tne, cfg.w_tne),
                             ("fns_image", cfg.fns_image, cfg.w_fns_image)):
        if on:
            loss = loss + weight * terms[name]
    return loss


def training_loss(model: torch.nn.Module, batch: dict, cfg: FNACConfig, warmup: bool
                  ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """The original's training objective on one batch: features, then the loss over the whole global batch.

    On several processes (with `loss.gather_negatives`), every process gathers all processes' features with
    their gradients and computes the loss over the global batch, so each clip has the original's
    batch - 1 negatives and the FNAC terms their one-GPU scale (shared.parallel.all_gather_with_grad).
    """
    img, aud = model(batch["image"], batch["spec"])
    if cfg.loss.gather_negatives:
        img, aud = all_gather_with_grad(img), all_gather_with_grad(aud)
    terms = fnac_loss_terms(img, aud, cfg.model.tau, cfg.loss.high_conf_thresh)
    return total_loss(terms, cfg.loss, warmup), terms
