"""Training losses: HAN's video-level loss and the pseudo-label terms of the method, each with a switch.

HAN (main_avvp.py `train`): probabilities clamped to [1e-7, 1 - 1e-7];
    BCE(video prob, y) + BCE(audio video prob, y) + BCE(visual video prob, 0.9 y + 0.05)
(label smoothing on the visual target only: audio uses a = 1.0, visual v = 0.9).
"""

from __future__ import annotations

import torch

from avvp_clip import pseudo_labels
from avvp_clip.config import LossConfig
from avvp_clip.model import HANOutput
from avvp_clip.pseudo_labels import bce


def training_loss(out: HANOutput, batch: dict, cfg: LossConfig) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    y = batch["label"].float()
    audio_target = cfg.audio_smoothing * y + (1 - cfg.audio_smoothing) * 0.5
    if cfg.visual_video_from_pseudo:
        visual_target = batch["pseudo"].amax(1)
    else:
        visual_target = cfg.visual_smoothing * y + (1 - cfg.visual_smoothing) * 0.5
    logs = {
        "loss_video": bce(out.global_prob, y),
        "loss_audio": bce(out.audio_prob, audio_target),
        "loss_visual": bce(out.visual_prob, visual_target),
    }
    loss = logs["loss_video"] + logs["loss_audio"] + logs["loss_visual"]
    visual_segments = out.frame_prob[:, :, 1]  # b, t, C
    if cfg.segment_pseudo:
        logs["loss_segment"] = bce(visual_segments, batch["pseudo"])
        loss = loss + cfg.segment_weight * logs["loss_segment"]
    if cfg.richness:
        logs["loss_richness"] = pseudo_labels.richness_loss(visual_segments, batch["pseudo"], y)
        loss = loss + cfg.richness_weight * logs["loss_richness"]
    return loss, logs
