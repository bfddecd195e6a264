"""A run folder: metrics as JSON lines and TensorBoard events, a progress bar, and final results.

Layout of `run_dir`: config.json, metrics.jsonl, tb/ (TensorBoard), checkpoints/, results.json.
Only the main process writes; the others get a logger that does nothing.
"""

from __future__ import annotations

import json
import math
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

METRICS_FILE = "metrics.jsonl"
RESULTS_FILE = "results.json"


def default_run_dir(root: str | Path, name: str) -> Path:
    return Path(root) / f"{name}-{datetime.now():%Y%m%d-%H%M%S}"


class RunLogger:
    def __init__(self, run_dir: str | Path, enabled: bool = True, resume_step: int = 0) -> None:
        """`resume_step`: the step of the checkpoint a run continues from (0: a fresh start)."""
        self.run_dir = Path(run_dir)
        self.enabled = enabled
        self._tb = None
        if not enabled:
            return
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.metrics_path = self.run_dir / METRICS_FILE
        self._truncate_after(resume_step)
        from torch.utils.tensorboard import SummaryWriter

        # purge_step drops the events a killed run wrote after the checkpoint it resumes from
        self._tb = SummaryWriter(str(self.run_dir / "tb"), purge_step=resume_step + 1)

    def _truncate_after(self, step: int) -> None:
        """Keep only the records up to `step`: the resumed run writes the later ones again."""
        if not self.metrics_path.exists():
            return
        kept = []
        for line in self.metrics_path.read_text().splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut short by the kill
            if record.get("step", 0) <= step:
                kept.append(line)
        self.metrics_path.write_text("".join(line + "\n" for line in kept))

    def log(self, step: int, split: str, metrics: dict[str, float]) -> None:
        if not self.enabled:
            return
        record = {"step": step, "split": split, "time": round(time.time(), 3)}
        record.update({k: float(v) for k, v in metrics.items()})
        with self.metrics_path.open("a") as f:
            f.write(json.dumps(record) + "\n")
        for key, value in metrics.items():
            if math.isfinite(float(value)):
                self._tb.add_scalar(f"{split}/{key}", float(value), step)

    def progress(self, total: int, initial: int = 0, desc: str = "train", show: bool = True) -> tqdm:
        return tqdm(
            total=total,
            initial=initial,
            desc=desc,
            disable=not (self.enabled and show),
            dynamic_ncols=True,
            mininterval=1.0 if sys.stderr.isatty() else 30.0,
        )

    def write_results(self, results: dict[str, Any]) -> Path | None:
        if not self.enabled:
            return None
        path = self.run_dir / RESULTS_FILE
        path.unlink(missing_ok=True)
        return merge_results(self.run_dir, results)

    def close(self) -> None:
        if self._tb is not None:
            self._tb.close()
            self._tb = None


def merge_results(run_dir: str | Path, values: dict[str, Any]) -> Path:
    """Add `values` to the run's results.json (written by the trainer), e.g. a baseline beside the metric."""
    path = Path(run_dir) / RESULTS_FILE
    results = json.loads(path.read_text()) if path.is_file() else {}
    results.update(values)
    path.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    return path


def read_metrics(run_dir: str | Path) -> list[dict]:
    path = Path(run_dir) / METRICS_FILE
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
