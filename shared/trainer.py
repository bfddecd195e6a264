"""One training loop for the subprojects that do not train through fairseq or mmengine.

A subproject hands the trainer a model, a map-style dataset, a loss function and, optionally, an
evaluation function; the trainer owns devices, mixed precision, gradient accumulation and
clipping, the LR schedule, DistributedDataParallel under `torchrun`, logging, atomic checkpoints
and exact resume (model, optimizer, scheduler, grad scaler, every RNG, data position).

    loss_fn(model, batch) -> loss | (loss, {"name": value, ...})   # batch already on the device
    evaluate(model) -> {"metric": value, ...}                        # called on every process

Seed (shared.rng.seed_everything) before building the model, so that its initial weights are
reproducible; the trainer then gives each process its own random stream.

The global batch (`batch_size`) is the recipe's on any number of processes: it must split evenly
over processes x grad_accum, or the trainer stops with the choices. `sync_batchnorm` makes BatchNorm
use the whole global batch's statistics; a loss that needs the whole batch gathers its features with
shared.parallel.all_gather_with_grad (shared/PARALLEL.md has the rules).

Checkpoint selection: with `select_metric`, every evaluation (every `eval_every` steps and at the
end) whose metric strictly improves on the best so far is saved atomically as checkpoints/best.pt;
results.json reports the last step's metrics and the best one (best_step, best_value, best_metrics).
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import torch
from torch.nn.parallel import DistributedDataParallel

from shared import checkpoint as ckpt
from shared.config import save_config, to_dict
from shared.distributed import DistInfo, barrier, gather_objects, init_distributed, mean_over_processes
from shared.optim import OptimConfig, build_optimizer
from shared.parallel import convert_sync_batchnorm, count_batchnorm, plan_batch
from shared.rng import rng_state, seed_everything, set_rng_state
from shared.runlog import RunLogger
from shared.sampling import ResumableBatchSampler
from shared.schedules import ScheduleConfig, build_scheduler
from shared.selection import BEST_FILE, BestSelector

LossOutput = torch.Tensor | tuple[torch.Tensor, dict[str, Any]]


@dataclass
class TrainerConfig:
    max_steps: int = 1000  # optimizer updates
    batch_size: int = 32  # global: samples per update, over all processes and accumulation steps
    grad_accum: int = 1
    clip_grad_norm: float | None = None
    precision: Literal["fp32", "bf16", "fp16"] = "fp32"
    compile: bool = False
    # DDP: set when some parameters get no gradient in a step (a weight-sharing supernet's sub-networks)
    find_unused_parameters: bool = False
    # BatchNorm over the whole global batch when several processes train (one GPU's statistics)
    sync_batchnorm: bool = False
    device: str = "auto"
    seed: int = 0
    shuffle: bool = True
    num_workers: int = 0
    log_every: int = 10
    eval_every: int = 0  # 0: evaluate only at the end
    # keep checkpoints/best.pt: the evaluation with the best `select_metric` (a key evaluate() returns),
    # measured on the split named by `select_split` (recorded in results.json); "" keeps only the last
    select_metric: str = ""
    select_mode: Literal["max", "min"] = "max"
    select_split: str = ""
    select_ties: Literal["earlier", "later"] = "earlier"  # which of two equal evaluations stays the best
    ckpt_every: int = 500
    keep_checkpoints: int = 2
    progress: bool = True
    optim: OptimConfig = field(default_factory=OptimConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)


def move_to(batch: Any, device: torch.device) -> Any:
    if isinstance(batch, torch.Tensor):
        return batch.to(device, non_blocking=True)
    if isinstance(batch, dict):
        return {k: move_to(v, device) for k, v in batch.items()}
    if isinstance(batch, (list, tuple)):
        return type(batch)(move_to(v, device) for v in batch)
    return batch


class Trainer:
    def __init__(
        self,
        model: torch.nn.Module,
        cfg: TrainerConfig,
        train_data: torch.utils.data.Dataset,
        loss_fn: Callable[[torch.nn.Module, Any], LossOutput],
        run_dir: str | Path,
        evaluate: Callable[[torch.nn.Module], dict[str, float]] | None = None,
        collate_fn: Callable | None = None,
        optimizer: torch.optim.Optimizer | None = None,
        experiment_config: Any = None,
        dist: DistInfo | None = None,
    ) -> None:
        self.cfg = cfg
        self.dist = dist or init_distributed(cfg.device)
        self.run_dir = Path(run_dir)
        self.ckpt_dir = self.run_dir / "checkpoints"
        self.loss_fn = loss_fn
        self.evaluate_fn = evaluate
        self.train_data = train_data
        self.collate_fn = collate_fn
        self.experiment_config = experiment_config

        self.batch_plan = plan_batch(cfg.batch_size, self.dist.world_size, cfg.grad_accum)
        self.selector = BestSelector(cfg.select_metric, cfg.select_mode, cfg.select_split, cfg.select_ties)
        if self.selector.enabled and evaluate is None:
            raise ValueError(f"train.select_metric={cfg.select_metric!r} needs an evaluate function")
        self.model = model.to(self.dist.device)
        if cfg.sync_batchnorm and self.dist.distributed:
            # same Parameter objects, children replaced in place: the caller's `model` stays valid
            self.model = convert_sync_batchnorm(self.model, self.dist.device)
        self._note_batch_statistics()
        self.optimizer = optimizer or build_optimizer(self.model, cfg.optim)
        self.scheduler = build_scheduler(self.optimizer, cfg.schedule, cfg.max_steps)
        self.scaler = torch.amp.GradScaler(self.dist.device.type, enabled=cfg.precision == "fp16")
        # one random stream per process (dropout masks differ across ranks); DDP copies rank 0's weights
        seed_everything(cfg.seed + self.dist.rank)

        self.forward_model: torch.nn.Module = self.model
        if self.dist.distributed:
            ids = [self.dist.device.index] if self.dist.device.type == "cuda" else None
            self.forward_model = DistributedDataParallel(
                self.model, device_ids=ids, find_unused_parameters=cfg.find_unused_parameters)
        if cfg.compile:
            self.forward_model = torch.compile(self.forward_model)

        self.sampler = ResumableBatchSampler(
            len(train_data),
            cfg.batch_size,
            cfg.grad_accum,
            self.dist.rank,
            self.dist.world_size,
            shuffle=cfg.shuffle,
            seed=cfg.seed,
        )
        self.step = 0
        self.epoch = 0
        self.step_in_epoch = 0
        self.last_eval: dict[str, float] = {}
        self._resumed_from = 0

    def _note_batch_statistics(self) -> None:
        """Say how many samples BatchNorm normalises over when that is less than the global batch."""
        plan, sync = self.batch_plan, self.cfg.sync_batchnorm and self.dist.distributed
        seen = plan.batch_statistics_size(sync)
        if self.dist.is_main and seen < plan.global_batch and count_batchnorm(self.model):
            print(f"note: BatchNorm (where it trains) normalises over {seen} of the global batch's {plan.global_batch} samples "
                  f"({plan.processes} processes, grad_accum={plan.grad_accum}, sync_batchnorm={sync}); "
                  "the exact route is grad_accum=1 with sync_batchnorm=true", file=sys.stderr)

    # ------------------------------------------------------------------------------------------
    # checkpoints

    def state_dict(self) -> dict:
        return {
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "scaler": self.scaler.state_dict(),
            "position": {"step": self.step, "epoch": self.epoch, "step_in_epoch": self.step_in_epoch},
            "rng": gather_objects(rng_state()),  # one per process, in rank order
            "last_eval": self.last_eval,
            "best": self.selector.state_dict(),
            "config": to_dict(self.experiment_config) if self.experiment_config is not None else None,
        }

    def save_checkpoint(self) -> None:
        state = self.state_dict()  # collective: every process takes part
        if self.dist.is_main:
            ckpt.atomic_save(state, ckpt.checkpoint_path(self.ckpt_dir, self.step))
            ckpt.prune_checkpoints(self.ckpt_dir, self.cfg.keep_checkpoints)
        barrier()

    def resume(self, path: str | Path | None = None) -> bool:
        """Restore from `path`, or from the newest checkpoint of this run; False if there is none."""
        path = Path(path) if path is not None else ckpt.latest_checkpoint(self.ckpt_dir)
        if path is None:
            return False
        state = ckpt.load_checkpoint(path, map_location=self.dist.device)
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        self.scaler.load_state_dict(state["scaler"])
        pos = state["position"]
        self.step, self.epoch, self.step_in_epoch = pos["step"], pos["epoch"], pos["step_in_epoch"]
        self.last_eval = state.get("last_eval", {})
        self.selector.load_state_dict(state.get("best"))
        rngs = state["rng"]
        if len(rngs) == self.dist.world_size:
            set_rng_state(rngs[self.dist.rank])
        else:  # a different number of processes cannot replay the same streams
            seed_everything(self.cfg.seed + self.dist.rank + self.step)
        self._resumed_from = self.step
        return True

    def _select(self, metrics: dict[str, float]) -> None:
        """Save checkpoints/best.pt when `metrics` improve on the best so far (every process takes part)."""
        if not self.selector.enabled or not metrics:
            return
        improved = self.selector.update(self.step, metrics)
        # rank 0 decides for all: were processes to disagree (metrics that differ by rank), the
        # collective save below would hang
        improved, best = gather_objects((improved, self.selector.state_dict()))[0]
        self.selector.load_state_dict(best)
        if not improved:
            return
        state = self.state_dict()  # collective
        if self.dist.is_main:
            ckpt.atomic_save(state, self.ckpt_dir / BEST_FILE)
        barrier()

    def _adopt_best_file(self) -> None:
        """Take over best.pt when a killed run wrote it after the checkpoint this run continues from.

        The steps after that checkpoint are redone; until they beat it, the file and the best so far
        must describe the same model, so its record (which beat the checkpoint's) is the best so far.
        """
        path = self.ckpt_dir / BEST_FILE
        if not path.is_file():
            return
        saved = torch.load(path, map_location="cpu", weights_only=False, mmap=True).get("best")
        if saved is None or saved["step"] <= self.step:
            return
        candidate = BestSelector(self.selector.metric, self.selector.mode, self.selector.split, self.selector.ties)
        candidate.load_state_dict(saved)
        if candidate.best is not None and self.selector.improves(candidate.best.value):
            self.selector.best = candidate.best

    def _evaluate(self, logger: RunLogger) -> dict[str, float]:
        metrics = self.run_evaluation()
        if metrics:
            logger.log(self.step, "eval", metrics)
        self._select(metrics)
        return metrics

    # ------------------------------------------------------------------------------------------
    # the loop

    def _loader(self) -> torch.utils.data.DataLoader:
        self.sampler.set_position(self.epoch, self.step_in_epoch)
        # a private generator: creating the iterator must not draw from the global RNG, or a resumed
        # run (which creates it mid-epoch) would diverge from an uninterrupted one
        generator = torch.Generator().manual_seed(self.cfg.seed * 1_000_003 + self.epoch)
        return torch.utils.data.DataLoader(
            self.train_data,
            batch_sampler=self.sampler,
            num_workers=self.cfg.num_workers,
            collate_fn=self.collate_fn,
            pin_memory=self.dist.device.type == "cuda",
            generator=generator,
        )

    def _autocast(self) -> contextlib.AbstractContextManager:
        if self.cfg.precision == "fp32":
            return contextlib.nullcontext()
        dtype = torch.bfloat16 if self.cfg.precision == "bf16" else torch.float16
        return torch.autocast(self.dist.device.type, dtype=dtype)

    def _train_step(self, micro_batches: list) -> dict[str, Any]:
        # values stay tensors until they are logged: converting each step would sync the GPU
        logs: dict[str, Any] = {}
        n = len(micro_batches)
        for k, batch in enumerate(micro_batches):
            sync = not self.dist.distributed or k == n - 1
            no_sync = contextlib.nullcontext() if sync else self.forward_model.no_sync()
            with no_sync:
                with self._autocast():
                    out = self.loss_fn(self.forward_model, move_to(batch, self.dist.device))
                loss, extra = out if isinstance(out, tuple) else (out, {})
                self.scaler.scale(loss / n).backward()
            for key, value in {"loss": loss, **extra}.items():
                value = value.detach() if isinstance(value, torch.Tensor) else value
                logs[key] = logs.get(key, 0.0) + value / n
        self.scaler.unscale_(self.optimizer)
        if self.cfg.clip_grad_norm is not None:
            logs["grad_norm"] = torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.cfg.clip_grad_norm)
        logs["lr"] = self.optimizer.param_groups[0]["lr"]
        self.scaler.step(self.optimizer)
        self.scaler.update()
        self.optimizer.zero_grad(set_to_none=True)
        self.scheduler.step()
        return logs

    def run_evaluation(self) -> dict[str, float]:
        if self.evaluate_fn is None:
            return {}
        was_training = self.model.training
        self.model.eval()
        with torch.no_grad(), self._autocast():
            metrics = {k: float(v) for k, v in self.evaluate_fn(self.model).items()}
        self.model.train(was_training)
        self.last_eval = metrics
        return metrics

    def fit(self, resume: bool = True) -> dict[str, float]:
        """Train to `max_steps` (continuing from the newest checkpoint when `resume`), then evaluate.

        Returns the final evaluation metrics, also written to `results.json` (with the best
        evaluation's step, value and metrics when `select_metric` is set).
        """
        cfg = self.cfg
        if resume:
            self.resume()
            if self.selector.enabled:
                if self.dist.is_main:  # another node may not see this file system: rank 0 reads, all follow
                    self._adopt_best_file()
                self.selector.load_state_dict(gather_objects(self.selector.state_dict())[0])
        elif ckpt.latest_checkpoint(self.ckpt_dir) is not None:
            raise FileExistsError(
                f"{self.ckpt_dir} already holds checkpoints of an earlier run; resume it, or choose another run folder"
            )
        elif self.dist.is_main:
            (self.ckpt_dir / BEST_FILE).unlink(missing_ok=True)  # left by a run killed before its first checkpoint
        logger = RunLogger(self.run_dir, enabled=self.dist.is_main, resume_step=self._resumed_from)
        if self.dist.is_main and self.experiment_config is not None:
            save_config(self.experiment_config, self.run_dir / "config.json")
        self.model.train()
        bar = logger.progress(cfg.max_steps, initial=self.step, show=cfg.progress)
        window = {"samples": 0, "start": time.perf_counter()}
        try:
            while self.step < cfg.max_steps:
                batches = iter(self._loader())
                while self.step < cfg.max_steps and self.step_in_epoch < self.sampler.steps_per_epoch:
                    logs = self._train_step([next(batches) for _ in range(cfg.grad_accum)])
                    self.step += 1
                    self.step_in_epoch += 1
                    window["samples"] += cfg.batch_size
                    bar.update(1)
                    if self.step % cfg.log_every == 0 or self.step == cfg.max_steps:
                        logs = mean_over_processes({k: float(v) for k, v in logs.items()}, self.dist.device)
                        elapsed = time.perf_counter() - window["start"]
                        logs["samples_per_s"] = window["samples"] / max(elapsed, 1e-9)
                        window = {"samples": 0, "start": time.perf_counter()}
                        logger.log(self.step, "train", logs)
                        bar.set_postfix(loss=f"{logs['loss']:.4f}")
                    if cfg.eval_every and self.step % cfg.eval_every == 0 and self.step < cfg.max_steps:
                        self._evaluate(logger)
                    if self.step % cfg.ckpt_every == 0 and self.step < cfg.max_steps:
                        self.save_checkpoint()
                if self.step_in_epoch >= self.sampler.steps_per_epoch:
                    self.epoch += 1
                    self.step_in_epoch = 0
            final = self._evaluate(logger)
            self.save_checkpoint()
            logger.write_results({"step": self.step, **final, **self.selector.summary()})
            return final
        finally:
            bar.close()
            logger.close()
