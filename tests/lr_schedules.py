"""The learning rate of every update under fairseq's schedulers and under `shared.schedules`, for the tests
that hold a recipe's schedule to its original's (fairseq is installed with the papers that train through it)."""

from __future__ import annotations

from typing import Any

import torch


def fairseq_lrs(scheduler_cls: type, steps: int, **cfg: Any) -> list[float]:
    """The LR fairseq uses for each of `steps` updates: its trainer calls step_update(num_updates) before each."""
    from types import SimpleNamespace

    from fairseq.optim.fairseq_optimizer import FairseqOptimizer

    optimizer = FairseqOptimizer(SimpleNamespace())
    optimizer._optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=cfg["lr"][0])
    scheduler = scheduler_cls(SimpleNamespace(**cfg), optimizer)
    return [scheduler.step_update(update) for update in range(steps)]


def schedule_lrs(cfg: Any, lr: float, steps: int, total_steps: int | None = None) -> list[float]:
    """The LR of each of the first `steps` updates under `shared.schedules` (`cfg`: a ScheduleConfig)."""
    from shared.schedules import build_scheduler

    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)
    scheduler = build_scheduler(optimizer, cfg, total_steps or steps)
    out = []
    for _ in range(steps):
        out.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return out
