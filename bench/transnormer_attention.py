"""NormAttention (linear time) against softmax attention and the original's naive masked linear attention.

    python bench/transnormer_attention.py [--sizes 512,1024,...,16384] [--heads 8] [--head-dim 64] [--reps 3]

Rows `name, size, ours, baseline, ratio` (ratio = baseline / ours: > 1 means ours is faster or lighter):
- time_causal_vs_sdpa / time_bidir_vs_sdpa: NormAttention (chunked causal form; q (k^T v)) against
  torch's scaled_dot_product_attention, forward, milliseconds (bench/timing.py: median of --reps rounds in
  which the two alternate).
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
import subprocess
import sys
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/timing.py

from timing import compare, print_header, print_row  # noqa: E402

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


@torch.no_grad()
def time_pair(ours: str, baseline: str, n: int, args: argparse.Namespace) -> tuple[float, float]:
    """Median seconds of one forward of `ours` and of `baseline`, alternating (bench/timing.py)."""
    q, k, v = make_inputs(n, args.heads, args.head_dim, args.device)
    return compare(lambda: run_op(ours, q, k, v, args.chunk), lambda: run_op(baseline, q, k, v, args.chunk),
                   repeats=args.reps, device=args.device)


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

    def steps_of(fn):
        return lambda: [fn() for _ in range(steps)]

    ours_s, softmax_s = compare(steps_of(ours), steps_of(softmax), repeats=args.reps, device=args.device)
    return ours_s / steps, softmax_s / steps


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
          f"chunk={args.chunk} batch=1 fp32 forward", file=sys.stderr)
    print_header()
    for n in sizes:
        naive_fits = args.heads * n * n * 4 * 2 <= NAIVE_LIMIT_BYTES
        print_row("time_causal_vs_sdpa", n, *time_pair("ours_causal", "sdpa_causal", n, args))
        print_row("time_bidir_vs_sdpa", n, *time_pair("ours_bidir", "sdpa_bidir", n, args))
        if naive_fits:
            print_row("time_causal_vs_naive", n, *time_pair("ours_causal", "naive_causal", n, args))
        if not args.no_memory:
            mem = memory_op
            print_row("mem_causal_vs_sdpa", n, mem("ours_causal", n, args), mem("sdpa_causal", n, args), unit="MiB")
            print_row("mem_bidir_vs_sdpa", n, mem("ours_bidir", n, args), mem("sdpa_bidir", n, args), unit="MiB")
            if naive_fits:
                print_row("mem_causal_vs_naive", n, mem("ours_causal", n, args), mem("naive_causal", n, args),
                          unit="MiB")
    for n in sizes:
        print_row("step_time_at_pos", n, *step_costs(n, args))


if __name__ == "__main__":
    main()
