"""Learning-rate schedules as multipliers of the base LR, stepped once per optimizer update.

The warmup follows fairseq's convention, which TNN and Transnormer were trained with: update `s`
(0-based) uses `s / warmup_steps` of the base LR during warmup, so the first update has LR 0; with
`warmup_start_ratio` r it rises linearly from r x base LR instead (fairseq's `--warmup-init-lr`, timm's
`warmup_lr`, PySlowFast's `WARMUP_START_LR`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import torch

ScheduleName = Literal["constant", "linear", "cosine", "inverse_sqrt", "polynomial", "step"]


@dataclass
class ScheduleConfig:
    name: ScheduleName = "cosine"
    warmup_steps: int = 0
    min_lr_ratio: float = 0.0  # final LR / base LR (cosine, linear, polynomial)
    power: float = 1.0  # polynomial decay exponent
    step_every: int = 0  # step: multiply the LR by `gamma` every `step_every` updates (torch's StepLR)
    gamma: float = 0.1
    warmup_start_ratio: float = 0.0  # LR of the first warmup update / base LR


def lr_multiplier(cfg: ScheduleConfig, step: int, total_steps: int) -> float:
    """The factor applied to the base LR for update number `step` (0-based) of `total_steps`."""
    warmup = cfg.warmup_steps
    if step < warmup:
        start = cfg.warmup_start_ratio
        return start + (1.0 - start) * step / warmup
    if cfg.name == "constant":
        return 1.0
    if cfg.name == "inverse_sqrt":
        return math.sqrt(warmup / step) if warmup > 0 else 1.0 / math.sqrt(max(step, 1))
    if cfg.name == "step":
        return cfg.gamma ** (step // cfg.step_every) if cfg.step_every > 0 else 1.0
    if step >= total_steps:
        return cfg.min_lr_ratio
    progress = (step - warmup) / max(total_steps - warmup, 1)
    floor = cfg.min_lr_ratio
    if cfg.name == "cosine":
        return floor + (1.0 - floor) * 0.5 * (1.0 + math.cos(math.pi * progress))
    if cfg.name == "linear":
        return floor + (1.0 - floor) * (1.0 - progress)
    if cfg.name == "polynomial":
        return floor + (1.0 - floor) * (1.0 - progress) ** cfg.power
    raise ValueError(f"unknown schedule {cfg.name!r}; expected one of constant, linear, cosine, inverse_sqrt, polynomial, step")


def build_scheduler(optimizer: torch.optim.Optimizer, cfg: ScheduleConfig, total_steps: int) -> torch.optim.lr_scheduler.LambdaLR:
    if cfg.warmup_steps < 0 or cfg.warmup_steps > total_steps:
        raise ValueError(f"schedule.warmup_steps must be in [0, {total_steps}], got {cfg.warmup_steps}")
    return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: lr_multiplier(cfg, step, total_steps))
