"""Checkpoint selection: the best evaluation of a run by a named metric, kept beside the last one.

Many originals keep the checkpoint of their best evaluation (best validation mIoU, best test cIoU)
rather than the last. `BestSelector` holds the rule (metric, max or min, the split it is measured
on) and the best evaluation so far; the trainer saves `checkpoints/best.pt` whenever it improves.
By default only a strict improvement replaces the best, so a tie keeps the earlier step
(`if miou > max_miou`); `ties="later"` lets an equal value replace it (`if ciou >= best_ciou`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

BEST_FILE = "best.pt"


@dataclass
class BestRecord:
    step: int
    value: float
    metrics: dict[str, float] = field(default_factory=dict)


class BestSelector:
    def __init__(self, metric: str, mode: Literal["max", "min"] = "max", split: str = "",
                 ties: Literal["earlier", "later"] = "earlier") -> None:
        if mode not in ("max", "min"):
            raise ValueError(f"train.select_mode must be 'max' or 'min', got {mode!r}")
        if ties not in ("earlier", "later"):
            raise ValueError(f"train.select_ties must be 'earlier' or 'later', got {ties!r}")
        if metric and not split:
            raise ValueError(f"train.select_metric={metric!r} needs train.select_split: the split that metric is "
                             f"measured on (e.g. 'val' or 'test'), recorded with the result")
        self.metric, self.mode, self.split, self.ties = metric, mode, split, ties
        self.best: BestRecord | None = None

    @property
    def enabled(self) -> bool:
        return bool(self.metric)

    def value_of(self, metrics: dict[str, float]) -> float:
        if self.metric not in metrics:
            raise KeyError(f"train.select_metric={self.metric!r} is not among the evaluation's metrics "
                           f"({', '.join(sorted(metrics)) or 'none'})")
        return float(metrics[self.metric])

    def improves(self, value: float) -> bool:
        """True when `value` is better than the best so far, or equal to it with `ties="later"` (NaN never is)."""
        if math.isnan(value):
            return False
        if self.best is None:
            return True
        if value == self.best.value:
            return self.ties == "later"
        return value > self.best.value if self.mode == "max" else value < self.best.value

    def update(self, step: int, metrics: dict[str, float]) -> bool:
        """Record `metrics` of `step` as the best if they improve on it; True when they did."""
        value = self.value_of(metrics)
        if not self.improves(value):
            return False
        self.best = BestRecord(step, value, dict(metrics))
        return True

    def state_dict(self) -> dict[str, Any] | None:
        if self.best is None:
            return None
        return {"metric": self.metric, "mode": self.mode, "split": self.split,
                "step": self.best.step, "value": self.best.value, "metrics": dict(self.best.metrics)}

    def load_state_dict(self, state: dict[str, Any] | None) -> None:
        """Restore the best so far; a record made under another rule (metric, mode) is not carried over."""
        if state is None or state.get("metric") != self.metric or state.get("mode") != self.mode:
            self.best = None
            return
        self.best = BestRecord(int(state["step"]), float(state["value"]), dict(state.get("metrics", {})))

    def summary(self) -> dict[str, Any]:
        """The entries results.json gets: the rule, and the step, value and metrics of the best evaluation."""
        if not self.enabled:
            return {}
        best = self.best
        return {"select_metric": self.metric, "select_mode": self.mode, "select_split": self.split,
                "best_step": None if best is None else best.step,
                "best_value": None if best is None else best.value,
                "best_metrics": {} if best is None else dict(best.metrics)}
