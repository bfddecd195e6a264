"""The one timing statistic of every benchmark here, and the one row format.

`compare` (two implementations) and `median_times` (any number) time the way every benchmark does: `repeats`
rounds, each running every implementation once in alternating order, the median per implementation. Alternating keeps a burst of outside
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


def median_times(fns: dict[str, Callable[[], Any]], repeats: int = 5, warmup: int = 1,
                 device: torch.device | str | None = None) -> dict[str, float]:
    """Median seconds of each function over `repeats` rounds, after `warmup` rounds; every round runs each
    function once, in an order reversed every other round."""
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    order = list(fns.items())
    for r in range(repeats):
        for name, fn in order if r % 2 == 0 else order[::-1]:
            times[name].append(seconds(fn, device))
    return {name: statistics.median(t) for name, t in times.items()}


def compare(ours: Callable[[], Any], baseline: Callable[[], Any], repeats: int = 5, warmup: int = 1,
            device: torch.device | str | None = None) -> tuple[float, float]:
    """Median seconds of (ours, baseline) over `repeats` alternating rounds, after `warmup` rounds."""
    medians = median_times({"ours": ours, "baseline": baseline}, repeats, warmup, device)
    return medians["ours"], medians["baseline"]


def ratio(ours: float, baseline: float) -> float:
    return baseline / ours if ours > 0 else float("inf")


def print_header() -> None:
    print(", ".join(HEADER), flush=True)


def print_row(name: str, size: object, ours: float, baseline: float, unit: str = "ms") -> None:
    """One row; times in milliseconds (`unit="ms"`, given seconds) or values as they are (e.g. MiB)."""
    scale = 1e3 if unit == "ms" else 1.0
    print(f"{name}, {size}, {ours * scale:.3f}{unit}, {baseline * scale:.3f}{unit}, {ratio(ours, baseline):.2f}",
          flush=True)
