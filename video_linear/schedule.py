"""The original's learning-rate policy (`slowfast/utils/lr_policy.py`), per optimizer update.

    cosine(e) = base * (cos(pi * e / max_epoch) + 1) / 2            (COSINE_END_LR 0, over ALL epochs)
    e < warmup: lr = WARMUP_START_LR + e * (cosine(warmup) - WARMUP_START_LR) / warmup

The original evaluates it at fractional epochs (`cur_epoch + iter / epoch_iters`) before every update,
which is the same as evaluating it at update s of S with e = s * max_epoch / S. (shared.schedules'
`warmup_start_ratio` warms up to the base LR and runs the cosine after the warm-up: a different curve.)
"""

from __future__ import annotations

import math

import torch

from shared.schedules import ScheduleConfig


def slowfast_multiplier(step: int, total_steps: int, warmup_steps: int, start_ratio: float) -> float:
    """LR of update `step` (0-based) as a multiple of the base LR."""
    def cosine(s: int) -> float:
        return 0.5 * (math.cos(math.pi * min(s, total_steps) / total_steps) + 1.0)

    if step < warmup_steps:
        return start_ratio + step * (cosine(warmup_steps) - start_ratio) / warmup_steps
    return cosine(step)


def slowfast_scheduler(optimizer: torch.optim.Optimizer, schedule: ScheduleConfig, total_steps: int,
                       start_ratio: float) -> torch.optim.lr_scheduler.LambdaLR:
    if schedule.name != "cosine" or schedule.min_lr_ratio != 0.0:
        raise ValueError(f"warmup_start_ratio is the original's cosine policy: expected train.schedule.name='cosine' "
                         f"with min_lr_ratio 0, got {schedule.name!r} with {schedule.min_lr_ratio}")
    if getattr(schedule, "warmup_start_ratio", 0.0):
        raise ValueError("set the warm-up start once: the original's policy takes warmup_start_ratio of the experiment "
                         "config, not train.schedule.warmup_start_ratio (a linear warm-up to the base LR)")
    warmup = schedule.warmup_steps
    return torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: slowfast_multiplier(step, total_steps, warmup, start_ratio))
