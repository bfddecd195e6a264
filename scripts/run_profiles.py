"""`make demo` and `make dryrun`: one profile of every paper, one progress line each, then one table.

    python scripts/run_profiles.py --profile {smoke,dryrun} [--out runs/demo] [PAPER ...]

Each paper runs as `python -m <paper>.reproduce --profile P --out OUT/<paper>`; what it prints goes to
OUT/logs/<paper>.txt, which the table names. The table is printed and written to OUT/summary.md, and the
rows to OUT/summary.json. smoke rows: metric, ours, baseline; dryrun rows: one per experiment, with step
time, peak memory, throughput and the estimated time of the paper's recipe (see shared/dryrun.py).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from shared.papers import discover  # noqa: E402
from shared.results import markdown_table  # noqa: E402

DEFAULT_OUT = {"smoke": "runs/demo", "dryrun": "runs/dryrun"}
COLUMNS = {
    "smoke": ["paper", "status", "metric", "ours", "baseline", "seconds", "log"],
    "dryrun": ["paper", "experiment", "status", "device", "parameters", "parameters_reference", "batch",
               "step_time_s", "peak_memory_mb", "throughput", "throughput_unit", "estimate_hours",
               "estimate_hours_8x", "seconds", "log"],
}


def run_paper(paper: str, profile: str, out: Path, extra: list[str], timeout: float | None = None) -> list[dict]:
    """Run one paper's profile; its rows for the table (one per experiment for dryrun)."""
    log = out / "logs" / f"{paper}.txt"
    log.parent.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", f"{paper}.reproduce", "--profile", profile, "--out", str(out / paper), *extra]
    start = time.perf_counter()
    with log.open("w") as f:
        f.write("+ " + " ".join(cmd) + "\n")
        f.flush()
        try:
            proc = subprocess.run(cmd, cwd=ROOT, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                  timeout=timeout)
        except subprocess.TimeoutExpired:
            proc = None
    base = {"paper": paper, "seconds": round(time.perf_counter() - start, 1), "log": str(log)}
    if proc is None:
        return [{**base, "status": f"timed out after {timeout:.0f} s"}]
    if proc.returncode != 0:
        return [{**base, "status": f"failed (exit {proc.returncode})"}]
    results = json.loads((out / paper / "results.json").read_text())
    if profile == "dryrun":
        return [{**base, "status": "ok", **row} for row in results.get("rows", [])] or [{**base, "status": "no rows"}]
    return [{**base, "status": "ok", **{k: results.get(k) for k in ("metric", "ours", "baseline")}}]


def run_all(papers: list[str], profile: str, out: Path, extra: list[str], timeout: float | None = None) -> list[dict]:
    """Every paper in turn, one console line each; the table's rows."""
    rows = []
    for i, paper in enumerate(papers, 1):
        print(f"[{i}/{len(papers)}] {paper:<14} ", end="", flush=True)
        paper_rows = run_paper(paper, profile, out, extra, timeout)
        print(f"{paper_rows[0]['status']} in {paper_rows[0]['seconds']} s", flush=True)
        rows += paper_rows
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", choices=sorted(COLUMNS), required=True)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--arg", dest="extra", action="append", default=[],
                        help="an extra flag for every paper's reproduce command (repeatable)")
    parser.add_argument("--timeout", type=float, default=None, help="seconds allowed to each paper")
    parser.add_argument("papers", nargs="*", help="default: every paper")
    args = parser.parse_args(argv)
    papers = args.papers or discover(ROOT)
    out = (args.out or ROOT / DEFAULT_OUT[args.profile]).resolve()
    start = time.perf_counter()
    rows = run_all(papers, args.profile, out, args.extra, args.timeout)
    table = markdown_table(rows, COLUMNS[args.profile])
    (out / "summary.md").write_text(table + "\n")
    (out / "summary.json").write_text(json.dumps(rows, indent=2) + "\n")
    print(table)
    failed = sorted({r["paper"] for r in rows if r["status"] != "ok"})
    print(f"{len(papers) - len(failed)} of {len(papers)} papers ok in {time.perf_counter() - start:.0f} s"
          + (f"; failed: {', '.join(failed)}" if failed else "") + f"; table in {out / 'summary.md'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
