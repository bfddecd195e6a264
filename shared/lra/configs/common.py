"""LRA's training settings per task, shared by the config files of this folder."""

from __future__ import annotations

import math

from shared.lra import tasks
from shared.lra.model import baseline_model_config
from shared.lra.train import DataConfig, LRAConfig
from shared.optim import OptimConfig
from shared.schedules import ScheduleConfig
from shared.trainer import TrainerConfig


def lra_config(task: str, *, batch_size: int, steps: int, lr: float, weight_decay: float, warmup: int,
               schedule: str, clip_grad_norm: float | None = None, data_dir: str | None = None) -> LRAConfig:
    """LRA's `constant * linear_warmup * rsqrt_decay` peaks at lr / sqrt(warmup) (the factor is
    1/sqrt(max(step, warmup))), so that peak is our base LR with an inverse-sqrt schedule;
    `... * cosine_decay` (image tasks) peaks at lr itself. The data folder defaults to the task's release
    folder under the shared `lra` dataset folder (`shared.lra.tasks.data_dir`)."""
    peak = lr / math.sqrt(warmup) if schedule == "inverse_sqrt" else lr
    return LRAConfig(
        data=DataConfig(task=task, data_dir=data_dir or str(tasks.data_dir(task))),
        model=baseline_model_config(task),
        train=TrainerConfig(
            max_steps=steps, batch_size=batch_size, clip_grad_norm=clip_grad_norm, log_every=50, eval_every=0, ckpt_every=1000,
            optim=OptimConfig(name="adamw", lr=peak, weight_decay=weight_decay, betas=(0.9, 0.98), eps=1e-9),
            schedule=ScheduleConfig(name=schedule, warmup_steps=warmup),
        ),
    )
