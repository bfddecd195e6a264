"""cosFormer vs softmax attention: time and peak memory across sequence lengths, as ratios.

    python bench/nas_attention.py [--lengths 256 1024 4096] [--device cpu|cuda] [--backward]

Rows `name, size, ours, baseline, ratio` (bench/timing.py): ours = cosFormer (linear; bidirectional, and
causal in its chunked form), baseline = softmax attention through scaled_dot_product_attention, timed
by `timing.compare` (median of alternating rounds); ratio = baseline / ours (above 1: cosFormer is faster
/ smaller). A third row per length times the original's quadratic causal cosFormer (the masked n x n
form the original falls back to without its CUDA kernel) as the baseline. Peak memory: CUDA's allocator
on GPU; on CPU each case runs in a fresh subprocess and reports the growth of its peak resident memory.
The settings line goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import compare, print_header, print_row  # noqa: E402

from nas_efficient.attention import cosformer_attention, cosformer_attention_naive, softmax_attention  # noqa: E402

HEADS, HEAD_DIM, BATCH = 8, 64, 1
CASES = {
    "cosformer_bidirectional": lambda q, k, v: cosformer_attention(q, k, v, causal=False),
    "softmax_bidirectional": lambda q, k, v: softmax_attention(q, k, v, causal=False),
    "cosformer_causal": lambda q, k, v: cosformer_attention(q, k, v, causal=True),
    "softmax_causal": lambda q, k, v: softmax_attention(q, k, v, causal=True),
    "cosformer_causal_quadratic": lambda q, k, v: cosformer_attention_naive(q, k, v, causal=True),
}


def inputs(n: int, device: str, backward: bool) -> tuple[torch.Tensor, ...]:
    g = torch.Generator(device=device).manual_seed(0)
    return tuple(torch.randn(BATCH, n, HEADS, HEAD_DIM, device=device, generator=g, requires_grad=backward)
                 for _ in range(3))


def step_of(case: str, n: int, device: str, backward: bool):
    q, k, v = inputs(n, device, backward)
    fn = CASES[case]

    def step() -> None:
        out = fn(q, k, v)
        if backward:
            out.sum().backward()

    return step


def run_case(case: str, n: int, device: str, backward: bool) -> dict:
    """Peak bytes of one call of one case, measured in this process."""
    step = step_of(case, n, device, backward)
    step()  # warm-up
    if device == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    base = torch.cuda.memory_allocated() if device == "cuda" else 0
    step()
    peak = torch.cuda.max_memory_allocated() - base if device == "cuda" else 0  # CPU: the caller measures
    return {"peak_bytes": peak}


def peak_bytes(case: str, n: int, device: str, backward: bool) -> float:
    if device == "cuda":
        return run_case(case, n, device, backward)["peak_bytes"]
    # CPU peak memory is per process: a fresh process per case keeps the cases apart
    cmd = [sys.executable, __file__, "--child", case, str(n), str(int(backward))]
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)["peak_bytes"]


def cpu_peak_in_fresh_process(case: str, n: int, backward: bool) -> dict:
    """ru_maxrss only grows: measure the case's own allocation on top of the process's start."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    result = run_case(case, n, "cpu", backward)
    result["peak_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before
    return result


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        case, n, backward = sys.argv[2], int(sys.argv[3]), bool(int(sys.argv[4]))
        print(json.dumps(cpu_peak_in_fresh_process(case, n, backward)))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[256, 1024, 4096])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--backward", action="store_true", help="time forward + backward")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    mode = "fwd+bwd" if args.backward else "fwd"
    print(f"device={args.device} batch={BATCH} heads={HEADS} head_dim={HEAD_DIM} {mode}; ratio = baseline / ours",
          file=sys.stderr)
    print_header()
    def timed(ours: str, baseline: str, n: int) -> tuple[float, float]:
        return compare(step_of(ours, n, args.device, args.backward), step_of(baseline, n, args.device, args.backward),
                       repeats=args.repeats, device=args.device)

    for n in args.lengths:
        for form in ("bidirectional", "causal"):
            print_row(f"time_{form}_vs_softmax", n, *timed(f"cosformer_{form}", f"softmax_{form}", n))
            ours, base = (peak_bytes(c, n, args.device, args.backward) / 2**20
                          for c in (f"cosformer_{form}", f"softmax_{form}"))
            print_row(f"memory_{form}_vs_softmax", n, max(ours, 1e-9), base, unit="MiB")
        print_row("time_causal_vs_quadratic_cosformer", n, *timed("cosformer_causal", "cosformer_causal_quadratic", n))


if __name__ == "__main__":
    main()
