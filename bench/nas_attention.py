"""cosFormer vs softmax attention: time and peak memory across sequence lengths, as ratios.

    python bench/nas_efficient_attention.py [--lengths 256 1024 4096] [--device cpu|cuda] [--backward]

Rows `name, size, ours, baseline, ratio`: ours = cosFormer (linear; bidirectional, and causal in its
chunked form), baseline = softmax attention through scaled_dot_product_attention, measured in the
same run; ratio = baseline / ours (above 1: cosFormer is faster / smaller). A third row per length
times the original's quadratic causal cosFormer (the masked n x n form the original falls back to
without its CUDA kernel) for reference. Peak memory: CUDA's allocator on GPU; on CPU each case
runs in a fresh subprocess and reports the growth of its peak resident memory.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nas_efficient.attention import cosformer_attention, cosformer_attention_naive, softmax_attention  # noqa: E402

HEADS, HEAD_DIM, BATCH = 8, 64, 1
CASES = {
    "cosformer_bidirectional": lambda q, k, v: cosformer_attention(q, k, v, causal=False),
    "softmax_bidirectional": lambda q, k, v: softmax_attention(q, k, v, causal=False),
    "cosformer_causal": lambda q, k, v: cosformer_attention(q, k, v, causal=True),
    "softmax_causal": lambda q, k, v: softmax_attention(q, k, v, causal=True),
    "cosformer_causal_quadratic": lambda q, k, v: cosformer_attention_naive(q, k, v, causal=True),
}


def run_case(case: str, n: int, device: str, backward: bool, repeats: int) -> dict:
    """Median seconds and peak bytes of one case, measured in this process."""
    g = torch.Generator(device=device).manual_seed(0)
    q, k, v = (torch.randn(BATCH, n, HEADS, HEAD_DIM, device=device, generator=g, requires_grad=backward)
               for _ in range(3))
    fn = CASES[case]

    def step() -> None:
        out = fn(q, k, v)
        if backward:
            out.sum().backward()
        if device == "cuda":
            torch.cuda.synchronize()

    step()  # warm-up
    if device == "cuda":
        torch.cuda.reset_peak_memory_stats()
    base = torch.cuda.memory_allocated() if device == "cuda" else 0
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    peak = torch.cuda.max_memory_allocated() - base if device == "cuda" else 0  # CPU: the caller measures
    times.sort()
    return {"seconds": times[len(times) // 2], "peak_bytes": peak}


def measure(case: str, n: int, device: str, backward: bool, repeats: int) -> dict:
    if device == "cuda":
        return run_case(case, n, device, backward, repeats)
    # CPU peak memory is per process: a fresh process per case keeps the cases apart
    cmd = [sys.executable, __file__, "--child", case, str(n), str(int(backward)), str(repeats)]
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)


def cpu_peak_in_fresh_process(case: str, n: int, backward: bool, repeats: int) -> dict:
    """ru_maxrss only grows: measure the case's own allocation on top of the process's start."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    result = run_case(case, n, "cpu", backward, repeats)
    result["peak_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before
    return result


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        case, n, backward, repeats = sys.argv[2], int(sys.argv[3]), bool(int(sys.argv[4])), int(sys.argv[5])
        print(json.dumps(cpu_peak_in_fresh_process(case, n, backward, repeats)))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[256, 1024, 4096])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--backward", action="store_true", help="time forward + backward")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    mode = "fwd+bwd" if args.backward else "fwd"
    print(f"device={args.device} batch={BATCH} heads={HEADS} head_dim={HEAD_DIM} {mode}; ratio = baseline / ours")
    print("name, size, ours, baseline, ratio")
    for n in args.lengths:
        r = {c: measure(c, n, args.device, args.backward, args.repeats) for c in CASES}
        for form in ("bidirectional", "causal"):
            ours, base = r[f"cosformer_{form}"], r[f"softmax_{form}"]
            print(f"time_{form}_vs_softmax, {n}, {ours['seconds']:.4g}s, {base['seconds']:.4g}s, "
                  f"{base['seconds'] / ours['seconds']:.2f}")
            print(f"memory_{form}_vs_softmax, {n}, {ours['peak_bytes'] / 2**20:.1f}MiB, "
                  f"{base['peak_bytes'] / 2**20:.1f}MiB, {base['peak_bytes'] / max(ours['peak_bytes'], 1):.2f}")
        ours, base = r["cosformer_causal"], r["cosformer_causal_quadratic"]
        print(f"time_causal_vs_quadratic_cosformer, {n}, {ours['seconds']:.4g}s, {base['seconds']:.4g}s, "
              f"{base['seconds'] / ours['seconds']:.2f}")


if __name__ == "__main__":
    main()
