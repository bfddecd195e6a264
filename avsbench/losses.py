"""Training losses of the original `loss.py`: BCE on the masks and the audio-visual matching (AVM) loss.

BCE uses the logits form (sigmoid + BCELoss in the original): the same value without BCELoss's
log clamp at -100, and safe under autocast.

On several processes the AVM losses see the whole global batch: the pooled audio and visual vectors
are gathered with their gradients (shared.parallel.all_gather_with_grad; a no-op on one process), so the
KL sums run over every frame of the batch and AVM-VV's nearest-audio partner is searched among all of
them, as on the original's one GPU.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from avsbench.config import AVSConfig
from shared.parallel import all_gather_with_grad


def s4_bce(logits: torch.Tensor, first_masks: torch.Tensor, num_frames: int = 5) -> torch.Tensor:
    """F1_IoU_BCELoss: S4 trains on the first frame of each clip. logits (B*T, 1, H, W), first_masks (B, 1, H, W)."""
    return F.binary_cross_entropy_with_logits(logits[::num_frames], first_masks.reshape(logits[::num_frames].shape))


def ms3_bce(logits: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
    """F5_IoU_BCELoss: every frame. logits and masks (B*T, 1, H, W)."""
    return F.binary_cross_entropy_with_logits(logits, masks.reshape(logits.shape))


def _masked_visual(logits: torch.Tensor, v_map: torch.Tensor, sigmoid_first: bool, threshold: bool) -> torch.Tensor:
    """Visual features (B*T, C) pooled under the predicted mask at the map's resolution."""
    h, w = v_map.shape[-2:]
    if sigmoid_first:  # S4 code: pool probabilities
        mask = F.adaptive_avg_pool2d(torch.sigmoid(logits), (h, w))
    else:  # MS3 code: pool logits, then the sigmoid
        mask = torch.sigmoid(F.adaptive_avg_pool2d(logits, (h, w)))
    if threshold:
        mask = (mask > 0.5).float()
        return (v_map * mask).sum((-1, -2)) / (mask.sum((-1, -2)) + 1e-6)
    return (v_map * mask).mean((-1, -2))


def avm_kl(logits: torch.Tensor, audio_maps: list, visual_maps: list, stages: tuple[int, ...],
           normalize: bool = False, threshold: bool = False) -> torch.Tensor:
    """The paper's AVM loss (MS3 `A_MaskedV_SimmLoss` with kl_flag): KL(softmax(audio) || softmax(masked visual)),
    summed over the batch, averaged over `stages`. The released MS3 script uses normalize=False, threshold=False."""
    total = logits.new_zeros(())
    for s in stages:
        a = audio_maps[s].reshape(-1, audio_maps[s].shape[-1])  # b*t, c
        v = _masked_visual(logits, visual_maps[s], sigmoid_first=False, threshold=threshold)
        if normalize:
            a, v = F.normalize(a, dim=-1), F.normalize(v, dim=-1)
        a, v = all_gather_with_grad(a), all_gather_with_grad(v)
        total = total + F.kl_div(F.log_softmax(v, dim=-1), F.softmax(a, dim=-1), reduction="sum")
    return total / len(stages)


def avm_cos(logits: torch.Tensor, audio_maps: list, visual_maps: list, stages: tuple[int, ...]) -> torch.Tensor:
    """S4 `A_MaskedV_SimmLoss`: -log(relu(cos(audio, thresholded-mask-pooled visual)) + 1e-6), mean, over `stages`."""
    total = logits.new_zeros(())
    for s in stages:
        a = F.normalize(audio_maps[s].reshape(-1, audio_maps[s].shape[-1]), dim=-1)
        v = F.normalize(_masked_visual(logits, visual_maps[s], sigmoid_first=True, threshold=True), dim=-1)
        total = total - torch.log(F.relu((a * v).sum(-1)) + 1e-6).mean()
    return total / len(stages)


def avm_kl_vv(logits: torch.Tensor, audio_maps: list, visual_maps: list, stages: tuple[int, ...],
              normalize: bool = False) -> torch.Tensor:
    """AVM-VV (MS3 `closer_loss` with kl_flag): each frame's mask-pooled visual feature is pulled, by
    KL(softmax(partner) || softmax(own)) summed over the batch, towards that of the frame of the batch whose
    audio is nearest (Euclidean, itself excluded). Averaged over `stages`; the partner is not detached."""
    total = logits.new_zeros(())
    for s in stages:
        a = audio_maps[s].reshape(-1, audio_maps[s].shape[-1])  # b*t, c
        if normalize:
            a = F.normalize(a, dim=-1)
        v = _masked_visual(logits, visual_maps[s], sigmoid_first=False, threshold=False)
        if normalize:
            v = F.normalize(v, dim=-1)
        a, v = all_gather_with_grad(a), all_gather_with_grad(v)
        dist = torch.cdist(a, a, p=2) + 10 * torch.eye(a.shape[0], device=a.device, dtype=a.dtype)
        partner = dist.argmin(dim=0)
        total = total + F.kl_div(F.log_softmax(v, dim=-1), F.softmax(v[partner], dim=-1), reduction="sum")
    return total / len(stages)


def training_loss(cfg: AVSConfig, outputs: tuple, batch: dict) -> tuple[torch.Tensor, dict]:
    """The training loss of the original's loss.py for the config's setting, from the model's outputs."""
    logits, vmaps, amaps = outputs
    logits = logits.float()
    lc = cfg.loss
    if cfg.data.setting == "s4":
        bce = s4_bce(logits, batch["masks"][:, 0], cfg.model.num_frames)
    else:
        bce = ms3_bce(logits, batch["masks"].flatten(0, 1))
    logs = {"bce": bce.detach()}
    loss = bce
    if lc.avm != "none" and lc.avm_weight > 0:
        vm = [v.float() for v in vmaps]
        am = [a if a is None else a.float() for a in amaps]
        if lc.avm == "kl":
            avm = avm_kl(logits, am, vm, lc.avm_stages, lc.avm_normalize, lc.avm_threshold)
        elif lc.avm == "kl_vv":
            avm = avm_kl_vv(logits, am, vm, lc.avm_stages, lc.avm_normalize)
        else:
            avm = avm_cos(logits, am, vm, lc.avm_stages)
        loss = loss + lc.avm_weight * avm
        logs["avm"] = avm.detach()
    return loss, logs
