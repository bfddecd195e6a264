"""`make demo`: every paper's smoke profile on generated data, on CPU, then one table.

A paper plugs in by providing `<paper>/reproduce.py`, run as
`python -m <paper>.reproduce --profile smoke --out DIR`, which writes DIR/results.json with at least
`metric` (its name), `ours` (the trained value) and `baseline` (a trivial baseline's value).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from shared.results import markdown_table  # noqa: E402


def run_paper(paper: str, out: Path) -> dict:
    if not (ROOT / paper / "reproduce.py").is_file():
        return {"paper": paper, "status": "not reproduced yet"}
    start = time.perf_counter()
    cmd = [sys.executable, "-m", f"{paper}.reproduce", "--profile", "smoke", "--out", str(out)]
    proc = subprocess.run(cmd, cwd=ROOT)
    row = {"paper": paper, "seconds": round(time.perf_counter() - start, 1)}
    if proc.returncode != 0:
        return {**row, "status": f"failed (exit {proc.returncode})"}
    results = json.loads((out / "results.json").read_text())
    return {**row, "status": "ok", **{k: results.get(k) for k in ("metric", "ours", "baseline")}}


def main(papers: list[str]) -> int:
    rows = [run_paper(p, ROOT / "runs" / "demo" / p) for p in papers]
    print(markdown_table(rows, ["paper", "status", "metric", "ours", "baseline", "seconds"]))
    return 1 if any(r["status"].startswith("failed") for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
