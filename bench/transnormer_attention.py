"""NormAttention (linear time) against softmax attention and the original's naive masked linear attention.

    python bench/transnormer_attention.py [--sizes 512,1024,...,16384] [--heads 8] [--head-dim 64] [--reps 3]

Rows `name, size, ours, baseline, ratio` (ratio = baseline / ours: > 1 means ours is faster or lighter):
- time_causal_vs_sdpa / time_bidir_vs_sdpa: NormAttention (chunked causal form; q (k^T v)) against
  torch's scaled_dot_product_attention, forward, seconds (median of --reps).
- time_causal_vs_naive: against the masked (n x n) form the original computes (fairseq-evo
  NormLinearAttention with causal=True), reimplemented here as the reference.
- mem_*: peak memory of one forward in MiB (CUDA: max_memory_allocated; CPU: peak resident memory of a
  fresh process above its level before the call, so each CPU memory figure costs a process start).
- step_time_at_pos: the recurrent form's cost per generated token at position `size`, against a
  softmax step over a KV cache of that length (which grows with the position).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from transnormer.attention import (  # noqa: E402
    norm_linear_bidirectional,
    norm_linear_chunked,
    norm_linear_naive,
    norm_linear_step,  # noqa: E402
)

NAIVE_LIMIT_BYTES = 3 * 2**30  # the naive form materialises b*h*n*n scores; skip it beyond this


def make_inputs(n: int, heads: int, head_dim: int, device: str) -> tuple[torch.Tensor, ...]:
    g = torch.Generator(device="cpu").manual_seed(0)
    q, k, v = (torch.randn(1, heads, n, head_dim, generator=g).to(device) for _ in range(3))
    return F.elu(q) + 1, F.elu(k) + 1, v  # positive features, as a kernel would give


def run_op(name: str, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, chunk: int) -> torch.Tensor:
    if name == "ours_causal":
        return norm_linear_chunked(q, k, v, chunk)[0]
    if name == "ours_bidir":
        return norm_linear_bidirectional(q, k, v)
    if name == "sdpa_causal":
        return F.scaled_dot_product_attention(q, k, v, is_causal=True)
    if name == "sdpa_bidir":
        return F.scaled_dot_product_attention(q, k, v)
    if name == "naive_causal":
        return norm_linear_naive(q, k, v, causal=True)
    raise ValueError(name)


def sync(device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


@torch.no_grad()
def time_op(name: str, n: int, args: argparse.Namespace) -> float:
    q, k, v = make_inputs(n, args.heads, args.head_dim, args.device)
    run_op(name, q, k, v, args.chunk)  # warm-up
    times = []
    for _ in range(args.reps):
        sync(args.device)
        start = time.perf_counter()
        run_op(name, q, k, v, args.chunk)
        sync(args.device)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


@torch.no_grad()
def memory_op(name: str, n: int, args: argparse.Namespace) -> float:
    """Peak extra memory of one forward, MiB."""
    if args.device == "cuda":
        q, k, v = make_inputs(n, args.heads, args.head_dim, "cuda")
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated()
        run_op(name, q, k, v, args.chunk)
        torch.cuda.synchronize()
        return (torch.cuda.max_memory_allocated() - base) / 2**20
    cmd = [sys.executable, __file__, "--child", name, "--child-n", str(n), "--heads", str(args.heads),
           "--head-dim", str(args.head_dim), "--chunk", str(args.chunk)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])["mib"]


def child(args: argparse.Namespace) -> None:
    torch.set_num_threads(1)
    q, k, v = make_inputs(args.child_n, args.heads, args.head_dim, "cpu")
    # reset the peak-RSS mark (Linux >= 4.0), so the peak is that of the operation, not of importing torch
    Path("/proc/self/clear_refs").write_text("5")
    before = _status_kib("VmRSS")
    with torch.no_grad():
        run_op(args.child, q, k, v, args.chunk)
    print(json.dumps({"mib": (_status_kib("VmHWM") - before) / 1024}))


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"/proc/self/status has no {field}")


@torch.no_grad()
def step_costs(position: int, args: argparse.Namespace, steps: int = 50) -> tuple[float, float]:
    """Seconds per token at `position`: the recurrent NormAttention step vs a softmax step over a KV cache."""
    h, d = args.heads, args.head_dim
    state = torch.randn(1, h, d, d, device=args.device)
    k_cache = torch.randn(1, h, position, d, device=args.device)
    v_cache = torch.randn(1, h, position, d, device=args.device)
    q, k, v = (torch.randn(1, h, d, device=args.device) for _ in range(3))

    def ours() -> None:
        norm_linear_step(q, k, v, state)

    def softmax() -> None:
        F.scaled_dot_product_attention(q.unsqueeze(2), k_cache, v_cache)

    out = []
    for fn in (ours, softmax):
        fn()
        sync(args.device)
        start = time.perf_counter()
        for _ in range(steps):
            fn()
        sync(args.device)
        out.append((time.perf_counter() - start) / steps)
    return out[0], out[1]


def row(name: str, size: int, ours: float, baseline: float) -> None:
    ratio = baseline / ours if ours > 0 else float("inf")
    print(f"{name}, {size}, {ours:.6g}, {baseline:.6g}, {ratio:.3f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="512,1024,2048,4096,8192,16384")
    parser.add_argument("--heads", type=int, default=8)
    parser.add_argument("--head-dim", type=int, default=64)
    parser.add_argument("--chunk", type=int, default=128)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--no-memory", action="store_true", help="skip the memory rows (each costs a process on CPU)")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--child-n", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"# device={args.device} threads={torch.get_num_threads()} heads={args.heads} head_dim={args.head_dim} "
          f"chunk={args.chunk} batch=1 fp32 forward")
    print("name, size, ours, baseline, ratio")
    for n in sizes:
        naive_fits = args.heads * n * n * 4 * 2 <= NAIVE_LIMIT_BYTES
        row("time_causal_vs_sdpa_s", n, time_op("ours_causal", n, args), time_op("sdpa_causal", n, args))
        row("time_bidir_vs_sdpa_s", n, time_op("ours_bidir", n, args), time_op("sdpa_bidir", n, args))
        if naive_fits:
            row("time_causal_vs_naive_s", n, time_op("ours_causal", n, args), time_op("naive_causal", n, args))
        if not args.no_memory:
            row("mem_causal_vs_sdpa_mib", n, memory_op("ours_causal", n, args), memory_op("sdpa_causal", n, args))
            row("mem_bidir_vs_sdpa_mib", n, memory_op("ours_bidir", n, args), memory_op("sdpa_bidir", n, args))
            if naive_fits:
                row("mem_causal_vs_naive_mib", n, memory_op("ours_causal", n, args), memory_op("naive_causal", n, args))
    for n in sizes:
        ours, softmax = step_costs(n, args)
        row("step_time_at_pos_s", n, ours, softmax)


if __name__ == "__main__":
    main()
