"""The one timing statistic of every benchmark here, and the one row format.

`compare` times two implementations the way every benchmark does: `repeats` rounds, each running ours and
the baseline once in alternating order, the median per implementation. Alternating keeps a burst of outside
load from landing on one implementation only; the median ignores the rounds it does hit.
Rows print as `name, size, ours, baseline, ratio` with ratio = baseline / ours (> 1: ours is better).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import torch

HEADER = ("name", "size", "ours", "baseline", "ratio")


def _sync(device: torch.device | str | None) -> None:
    if device is not None and torch.device(device).type == "cuda":
        torch.cuda.synchronize(device)


def seconds(fn: Callable[[], Any], device: torch.device | str | None = None) -> float:
    """Wall time of one call, waiting for the GPU when there is one."""
    _sync(device)
    start = time.perf_counter()
    fn()
    _sync(device)
    return time.perf_counter() - start


def compare(ours: Callable[[], Any], baseline: Callable[[], Any], repeats: int = 5, warmup: int = 1,
            device: torch.device | str | None = None) -> tuple[float, float]:
    """Median seconds of (ours, baseline) over `repeats` alternating rounds, after `warmup` rounds."""
    for _ in range(warmup):
        ours()
        baseline()
    times: dict[str, list[float]] = {"ours": [], "baseline": []}
    for r in range(repeats):
        order = [("ours", ours), ("baseline", baseline)]
        for name, fn in order if r % 2 == 0 else order[::-1]:
            times[name].append(seconds(fn, device))
    return statistics.median(times["ours"]), statistics.median(times["baseline"])


def ratio(ours: float, baseline: float) -> float:
    return baseline / ours if ours > 0 else float("inf")


def print_header() -> None:
    print(", ".join(HEADER), flush=True)


def print_row(name: str, size: object, ours: float, baseline: float, unit: str = "ms") -> None:
    """One row; times in milliseconds (`unit="ms"`, given seconds) or values as they are (e.g. MiB)."""
    scale = 1e3 if unit == "ms" else 1.0
    print(f"{name}, {size}, {ours * scale:.3f}{unit}, {baseline * scale:.3f}{unit}, {ratio(ours, baseline):.2f}",
          flush=True)
