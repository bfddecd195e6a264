"""Results from run folders: a Markdown table of `results.json` values and a plot of one metric.

    python -m shared.results runs/tnn/* --metric eval/accuracy --out report
writes report.md and report.png and prints the table. The metric is drawn against step from
metrics.jsonl; one that no run logged there but that results.json holds (a final value, e.g. `miou`)
is drawn as one bar per run. A name found in neither stops with the names that are there.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path

from shared.runlog import RESULTS_FILE, read_metrics


def load_results(run_dirs: Sequence[str | Path]) -> list[dict]:
    """One row per run folder that has a results.json: {"run": name, **results}."""
    rows = []
    for run_dir in map(Path, run_dirs):
        path = run_dir / RESULTS_FILE
        if not path.is_file():
            continue
        try:
            data = json.loads(path.read_text())
        except json.JSONDecodeError as err:
            raise ValueError(f"{path}: not valid JSON ({err})") from err
        rows.append({"run": run_dir.name, **data})
    return rows


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{value:.4g}"
    return "" if value is None else str(value)


def markdown_table(rows: Sequence[dict], columns: Sequence[str] | None = None) -> str:
    if columns is None:
        columns = []
        for row in rows:
            columns += [k for k in row if k not in columns]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_fmt(row.get(c)) for c in columns) + " |" for row in rows]
    return "\n".join(lines)


_RECORD_KEYS = {"step", "split", "time"}  # the fields of a metrics.jsonl record that are not metrics


def logged_names(run_dirs: Sequence[str | Path]) -> list[str]:
    """Every `split/name` logged in the runs' metrics.jsonl, sorted."""
    names = {f"{r['split']}/{k}" for run_dir in run_dirs for r in read_metrics(run_dir) for k in r if k not in _RECORD_KEYS}
    return sorted(names)


def _logged_series(run_dir: Path, metric: str) -> list[tuple[float, float]]:
    split, _, name = metric.rpartition("/")
    if name in _RECORD_KEYS:
        return []
    return [(r["step"], r[name]) for r in read_metrics(run_dir) if name in r and (not split or r["split"] == split)]


def _final_value(row: dict, metric: str) -> float | None:
    """The metric in a results.json row: under its full name, or (`eval/x`, `x`) under its bare name, since
    results.json holds the final evaluation."""
    split, _, name = metric.rpartition("/")
    for key in (metric, name) if split in ("", "eval") else (metric,):
        value = row.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    return None


def plot_metric(run_dirs: Sequence[str | Path], metric: str, out: str | Path) -> Path:
    """Plot `split/name` (e.g. `train/loss`) against step, one line per run, to a PNG.

    If no run logged it but results.json holds it, one bar per run; if neither, ValueError naming
    the metrics the runs have.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    run_dirs = [Path(d) for d in run_dirs]
    series = {d.name: points for d in run_dirs if (points := _logged_series(d, metric))}
    finals = {}
    if not series:
        finals = {row["run"]: v for row in load_results(run_dirs) if (v := _final_value(row, metric)) is not None}
        if not finals:
            final_keys = sorted({k for row in load_results(run_dirs) for k in row if k != "run"})
            raise ValueError(
                f"no run logged {metric!r}; metrics.jsonl holds: {', '.join(logged_names(run_dirs)) or 'nothing'}; "
                f"results.json holds: {', '.join(final_keys) or 'nothing'}"
            )
    fig, ax = plt.subplots(figsize=(6, 4))
    if series:
        for label, points in series.items():
            steps, values = zip(*points, strict=True)
            ax.plot(steps, values, marker="." if len(points) < 50 else None, label=label)
        ax.set_xlabel("step")
        ax.legend(fontsize="small")
    else:
        ax.bar(list(finals), list(finals.values()))
        ax.set_xlabel("run (final value, from results.json)")
        ax.tick_params(axis="x", labelrotation=30)
    ax.set_ylabel(metric)
    ax.grid(alpha=0.3)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("run_dirs", nargs="+", type=Path)
    parser.add_argument("--metric", default="train/loss", help="split/name to plot, e.g. eval/accuracy")
    parser.add_argument("--out", type=Path, default=Path("results"), help="writes OUT.md and OUT.png")
    args = parser.parse_args(argv)
    table = markdown_table(load_results(args.run_dirs))
    try:
        plot_metric(args.run_dirs, args.metric, args.out.with_suffix(".png"))
    except ValueError as err:
        sys.exit(f"error: {err}")
    args.out.with_suffix(".md").write_text(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
