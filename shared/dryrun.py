"""Measurements every paper's `dryrun` profile reports, in one form, so `make dryrun` can make one table.

A dryrun result holds `rows`, one per experiment, each made by `row(...)`:
experiment, device, parameters (ours and the reference figure with its source), step time, peak memory,
throughput, and the estimated wall-clock of the paper's whole recipe on this device and on 8 of it.

The estimate assumes the time of a step grows linearly with the samples in it (the dryrun may run a smaller
batch than the recipe on a small machine) and that 8 devices run 8 times as fast (no communication cost).
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch

from shared.runlog import read_metrics

ASSUMPTIONS = "step time linear in samples per step; 8 devices = 8x one (no communication cost)"


def device_name(device: torch.device | str) -> str:
    device = torch.device(device)
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return "cpu"


def reset_peak_memory(device: torch.device | str) -> None:
    device = torch.device(device)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)


def peak_memory_mb(device: torch.device | str) -> float:
    """Peak CUDA memory allocated by tensors on a GPU; on CPU the process's peak resident set size."""
    device = torch.device(device)
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2**20
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux, bytes on macOS
    return rss / 2**20 if sys.platform == "darwin" else rss / 2**10


def time_steps(step: Callable[[], Any], steps: int, device: torch.device | str, warmup: int = 1) -> list[float]:
    """Seconds of each of `steps` calls of `step`, after `warmup` untimed calls (allocations, autotuning)."""
    device = torch.device(device)

    def sync() -> None:
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    for _ in range(warmup):
        step()
    sync()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        sync()
        times.append(time.perf_counter() - start)
    return times


def step_times_from_run(run_dir: str | Path, batch_size: int, skip: int = 1) -> list[float]:
    """Step times from a trainer run logged every step (`log_every=1`): the first `skip` steps are warm-up."""
    rows = [r for r in read_metrics(run_dir) if r.get("split") == "train" and "samples_per_s" in r]
    times = [batch_size / r["samples_per_s"] for r in rows[skip:]]
    if not times:
        raise ValueError(f"{run_dir}: no train steps logged after the first {skip}; run more steps with log_every=1")
    return times


def row(experiment: str, device: torch.device | str, parameters: int, step_times: Sequence[float],
        batch: int, recipe_batch: int, recipe_steps: int, *, reference_parameters: int | None = None,
        reference_source: str = "", units_per_sample: float = 1.0, unit: str = "samples",
        notes: str = "", peak_memory: float | None = None) -> dict[str, Any]:
    """One dryrun table row; `batch` is the dryrun's samples per step, `recipe_batch` the paper's global batch.

    `peak_memory` (MiB) is the training's own figure when it ran in another process; by default this process's.
    """
    step_s = statistics.median(step_times)
    recipe_step_s = step_s * recipe_batch / batch
    hours = recipe_steps * recipe_step_s / 3600
    return {
        "experiment": experiment,
        "device": device_name(device),
        "parameters": parameters,
        "parameters_reference": reference_parameters,
        "parameters_reference_source": reference_source,
        "batch": batch,
        "step_time_s": round(step_s, 4),
        "peak_memory_mb": round(peak_memory_mb(device) if peak_memory is None else peak_memory, 1),
        "throughput": round(batch * units_per_sample / step_s, 2),
        "throughput_unit": f"{unit}/s",
        "recipe_batch": recipe_batch,
        "recipe_steps": recipe_steps,
        "estimate_hours": round(hours, 2),
        "estimate_hours_8x": round(hours / 8, 2),
        "assumptions": ASSUMPTIONS + (f"; {notes}" if notes else ""),
    }


def write_torchvision_weights(build: Callable[[], torch.nn.Module], path: str | Path, seed: int = 0) -> Path:
    """Random tensors with the key set and shapes of `build()`'s state dict, in the format of torchvision's
    ImageNet files (a plain state dict, no BatchNorm `num_batches_tracked`): what a dryrun loads through the
    real loader in place of the released weights. The model is built on the meta device (no initialisation
    cost); a file already there is kept."""
    from shared.testing import seeded_state_dict

    path = Path(path)
    if not path.is_file():
        with torch.device("meta"):
            state = build().state_dict()
        spec = [[k, list(v.shape), "float32"] for k, v in state.items() if not k.endswith("num_batches_tracked")]
        path.parent.mkdir(parents=True, exist_ok=True)
        torch.save(seeded_state_dict(spec, seed), path)
    return path
