"""A benchmark prints its table and nothing else (DESIGN: `name, size, ours, baseline, ratio` rows)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "tnn_tno.py"
ROW = re.compile(r"^(fwd|fwd\+bwd) (time_ms|peak_mb) vs (original|sdpa), 16, (\d+\.\d\d), (\d+\.\d\d), \d+\.\d\d$")


def test_tnn_tno_benchmark_prints_only_its_table() -> None:
    """On CPU the peak memory comes from torch's profiler, whose warnings and kineto's log lines
    (`gpuGetDeviceCount failed`) must not reach the output."""
    proc = subprocess.run([sys.executable, str(BENCH), "--sizes", "16", "--channels", "8", "--repeats", "1"],
                          capture_output=True, text=True, timeout=300, env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("# TNO causal") and lines[1] == "name, size, ours, baseline, ratio"
    rows = [ROW.match(line) for line in lines[2:]]
    assert len(rows) == 8 and all(rows), lines
    peaks = [float(m.group(4)) for m in rows if m.group(1) == "fwd+bwd" and m.group(2) == "peak_mb"]
    assert min(peaks) > 0, "the memory measurement must see the step's allocations"
