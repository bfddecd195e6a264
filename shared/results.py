"""Results from run folders: a Markdown table of `results.json` values and a plot of logged metrics.

    python -m shared.results runs/tnn/* --metric eval/accuracy --out report
writes report.md and report.png and prints the table.
"""

from __future__ import annotations

import argparse
import json
import math
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


def plot_metric(run_dirs: Sequence[str | Path], metric: str, out: str | Path) -> Path:
    """Plot `split/name` (e.g. `train/loss`) against step, one line per run, to a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    split, _, name = metric.rpartition("/")
    fig, ax = plt.subplots(figsize=(6, 4))
    for run_dir in map(Path, run_dirs):
        points = [(r["step"], r[name]) for r in read_metrics(run_dir) if name in r and (not split or r["split"] == split)]
        if points:
            steps, values = zip(*points, strict=True)
            ax.plot(steps, values, marker="." if len(points) < 50 else None, label=run_dir.name)
    ax.set_xlabel("step")
    ax.set_ylabel(metric)
    ax.grid(alpha=0.3)
    if ax.lines:
        ax.legend(fontsize="small")
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
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".md").write_text(table + "\n")
    plot_metric(args.run_dirs, args.metric, args.out.with_suffix(".png"))
    print(table)


if __name__ == "__main__":
    main()
