"""The GPU check: every paper's dryrun on this machine's accelerator and the benchmarks, one report.

    python scripts/gpu/check.py --out OUT [--budget-s 420] [--paper-timeout-s 90] [--bench-timeout-s 45]
                                [--papers P ...] [--bench GLOB]

Writes OUT/gpu_check.json, OUT/gpu_check.md and OUT/logs.tar.gz (every paper's and benchmark's log): few
files, since a lent machine sends back at most eight. A part that cannot run (a package left out of
.gpu/, no time left in the budget, a timeout) is reported as skipped with its reason, never dropped.
Run through scripts/gpu/check.sh, which installs what a bare GPU machine lacks first.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import torch  # noqa: E402
from run_profiles import COLUMNS, run_paper  # noqa: E402

from shared.papers import discover  # noqa: E402
from shared.results import markdown_table  # noqa: E402

BENCH_COLUMNS = ["benchmark", "status", "rows", "seconds"]


def environment() -> dict:
    cuda = torch.cuda.is_available()
    return {"python": platform.python_version(), "torch": torch.__version__,
            "device": torch.cuda.get_device_name(0) if cuda else "cpu (fallback: no GPU here)",
            "gpus": torch.cuda.device_count() if cuda else 0}


def left_out_packages() -> dict[str, str]:
    manifest = ROOT / ".gpu" / "manifest.json"
    return json.loads(manifest.read_text())["left_out"] if manifest.is_file() else {}


def run_benchmark(path: Path, logs: Path, timeout: float) -> dict:
    log = logs / f"bench_{path.stem}.txt"
    start = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, str(path)], cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as err:
        log.write_text((err.stdout or b"").decode() if isinstance(err.stdout, bytes) else (err.stdout or ""))
        return {"benchmark": path.stem, "status": f"skipped: over {timeout:.0f} s", "rows": [],
                "seconds": round(time.perf_counter() - start, 1)}
    log.write_text(proc.stdout + proc.stderr)
    rows = [line for line in proc.stdout.splitlines() if line.count(",") == 4 and not line.startswith("name,")]
    status = "ok" if proc.returncode == 0 else f"failed (exit {proc.returncode})"
    return {"benchmark": path.stem, "status": status, "rows": rows, "seconds": round(time.perf_counter() - start, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--budget-s", type=float, default=420.0, help="stop starting new parts after this")
    parser.add_argument("--paper-timeout-s", type=float, default=90.0)
    parser.add_argument("--bench-timeout-s", type=float, default=45.0)
    parser.add_argument("--papers", nargs="*", default=None, help="default: every paper")
    parser.add_argument("--bench", default="*_*.py", help="benchmark files under bench/ (a glob)")
    parser.add_argument("--runs", type=Path, default=Path("/tmp/gpu-check-runs"), help="run folders (not sent back)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    args.out.mkdir(parents=True, exist_ok=True)
    logs = args.runs / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    report = {"environment": environment(), "left_out_packages": left_out_packages(), "dryrun": [], "bench": []}
    print(f"device: {report['environment']['device']}; torch {report['environment']['torch']}", flush=True)

    def left() -> float:
        return args.budget_s - (time.perf_counter() - start)

    for paper in args.papers if args.papers is not None else discover(ROOT):
        if left() < 10:
            report["dryrun"].append({"paper": paper, "status": "skipped: the check's time budget is spent"})
            continue
        rows = run_paper(paper, "dryrun", args.runs, [], timeout=min(args.paper_timeout_s, left()))
        print(f"dryrun {paper:<14} {rows[0]['status']} in {rows[0]['seconds']} s", flush=True)
        report["dryrun"] += rows
    for path in sorted((ROOT / "bench").glob(args.bench)):
        if left() < 10:
            report["bench"].append({"benchmark": path.stem, "status": "skipped: the check's time budget is spent",
                                    "rows": []})
            continue
        result = run_benchmark(path, logs, min(args.bench_timeout_s, left()))
        print(f"bench  {path.stem:<28} {result['status']} in {result['seconds']} s", flush=True)
        report["bench"].append(result)

    report["seconds"] = round(time.perf_counter() - start, 1)
    (args.out / "gpu_check.json").write_text(json.dumps(report, indent=2) + "\n")
    bench_rows = [{**b, "rows": len(b["rows"])} for b in report["bench"]]
    bench_lines = [line for b in report["bench"] for line in b["rows"]]
    md = [f"# GPU check: {report['environment']['device']}, torch {report['environment']['torch']}, "
          f"{report['seconds']} s", "", "## Dryrun", markdown_table(report["dryrun"], COLUMNS["dryrun"]), "",
          "## Benchmarks", markdown_table(bench_rows, BENCH_COLUMNS), "", "```", "name, size, ours, baseline, ratio",
          *bench_lines, "```", "", "## Packages left out of .gpu/",
          *[f"- {k}: {v}" for k, v in report["left_out_packages"].items()]]
    (args.out / "gpu_check.md").write_text("\n".join(md) + "\n")
    with tarfile.open(args.out / "logs.tar.gz", "w:gz") as tar:
        tar.add(logs, arcname="logs")
    print("\n".join(md))
    failed = [r for r in report["dryrun"] if r.get("status") != "ok"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
