"""TNO speed and memory: ours vs the original algorithm (fairseq-evo `Tno`, reimplemented below) vs
softmax attention (torch SDPA), causal, forward and forward+backward.

    python bench/tnn_tno.py [--sizes 512 1024 ...] [--channels 512] [--batch 1] [--max-attention-n 4096]

Rows: `name, size, ours, baseline, ratio` (ratio = baseline / ours: > 1 means ours is faster/smaller).
Time: median over repeats, the implementations alternating within each repeat (fair under outside load).
Peak memory: tensors allocated during one step at its peak, above the inputs (CUDA allocator stats; on
CPU, torch profiler's allocation events).
"""

from __future__ import annotations

import argparse
import os
import sys
from functools import partial
from pathlib import Path

import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from timing import median_times  # noqa: E402

from tnn.tno import Tno  # noqa: E402


class OriginalTno(torch.nn.Module):
    """fairseq-evo tnn/tno.py `Tno.forward_causal` + the GtuV2 rearranges around it, same weights as ours:
    three RPE calls (t_0, positive offsets, t_0 again), a (b, h, n, d) copy of x, two length-2n rFFTs
    along the non-contiguous sequence dimension on every call."""

    def __init__(self, ours: Tno, heads: int) -> None:
        super().__init__()
        self.ours = ours
        self.h = heads

    def rpe(self, idx: torch.Tensor) -> torch.Tensor:
        res = self.ours.rpe(idx.squeeze(-1))  # n, (h d)
        return res.reshape(res.shape[0], self.h, res.shape[1] // self.h).transpose(0, 1)  # h, n, d

    def forward(self, v: torch.Tensor) -> torch.Tensor:
        b, n, e = v.shape
        x = v.reshape(b, n, self.h, e // self.h).permute(0, 2, 1, 3).contiguous()  # b h n d, as rearrange
        zero = self.rpe(torch.zeros(1, 1, device=v.device))
        pos = self.rpe(torch.arange(1, n, device=v.device).reshape(-1, 1) * 1.0)
        gamma = self.ours.gamma.reshape(self.h, 1, -1) ** torch.arange(1, n, device=v.device).reshape(1, -1, 1)
        a = torch.cat([zero, gamma * pos, zero], dim=1)
        y = torch.fft.rfft(x, 2 * n, dim=-2)
        c = torch.fft.rfft(a, 2 * n, dim=-2).unsqueeze(0)
        out = torch.fft.irfft(c * y, 2 * n, dim=-2)[:, :, :n, :]
        return out.permute(0, 2, 1, 3).reshape(b, n, e)  # b n (h d)


def build(impl: str, n: int, channels: int, batch: int, device: torch.device):
    torch.manual_seed(0)
    tno = Tno(channels, 64, causal=True, rpe_layers=6).to(device)
    x = torch.randn(batch, n, channels, device=device, requires_grad=True)
    if impl == "ours":
        return tno, x
    if impl == "original":
        return OriginalTno(tno, heads=1), x
    heads = max(1, channels // 64)

    def attention(v: torch.Tensor) -> torch.Tensor:
        q = v.reshape(batch, n, heads, -1).transpose(1, 2)  # b h n d; q = k = v: the kernel's cost only
        return F.scaled_dot_product_attention(q, q, q, is_causal=True).transpose(1, 2).reshape(batch, n, -1)

    return attention, x


def step(fn, x: torch.Tensor, mode: str) -> None:
    if mode == "fwd":
        with torch.no_grad():
            fn(x)
    else:
        fn(x).sum().backward()
        x.grad = None


def peak_memory(impl: str, n: int, mode: str, channels: int, batch: int) -> float:
    """MB allocated above the inputs at the peak of one step: CUDA allocator stats on GPU; on CPU the
    allocation and free events that torch's profiler records, summed in time order."""
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    fn, x = build(impl, n, channels, batch, device)
    if isinstance(fn, torch.nn.Module) and mode == "fwd":
        fn.eval()
    step(fn, x, mode)  # warm-up: the inference cache and lazy state exist before measuring
    if device.type == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated()
        step(fn, x, mode)
        torch.cuda.synchronize()
        return (torch.cuda.max_memory_allocated() - base) / 2**20
    from torch.profiler import ProfilerActivity, profile

    # the output is the table alone: kineto logs that it found no GPU (read when the profiler first starts),
    # and torch warns that a profiler without accumulation keeps only its last cycle (this one has one cycle)
    os.environ.setdefault("KINETO_LOG_LEVEL", "5")
    with profile(activities=[ProfilerActivity.CPU], profile_memory=True, acc_events=True) as prof:
        step(fn, x, mode)
    events = sorted((e.start_ns(), e.nbytes()) for e in prof.profiler.kineto_results.events() if e.name() == "[memory]")
    current = peak = 0
    for _, nbytes in events:  # frees are negative
        current += nbytes
        peak = max(peak, current)
    return peak / 2**20


def interleaved_times(impls: list[str], n: int, mode: str, args: argparse.Namespace) -> dict[str, float]:
    """Median ms per step; the implementations alternate within each repeat, so that load from other
    processes on a shared machine hits all of them alike."""
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    cases = {}
    for impl in impls:
        fn, x = build(impl, n, args.channels, args.batch, device)
        if isinstance(fn, torch.nn.Module) and mode == "fwd":
            fn.eval()  # inference, as the forward rows report (no dropout, no autograd)
        step(fn, x, mode)  # warm-up
        cases[impl] = (fn, x)
    medians = median_times({impl: partial(step, fn, x, mode) for impl, (fn, x) in cases.items()}, args.repeats,
                           warmup=0, device=device)  # each case has had its warm-up step above
    return {impl: 1000 * t for impl, t in medians.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[512, 1024, 2048, 4096, 8192, 16384])
    parser.add_argument("--channels", type=int, default=512)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--max-attention-n", type=int, default=None,
                        help="skip SDPA above this length (default: none on GPU, 4096 on CPU)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    max_attn = args.max_attention_n or (10**9 if torch.cuda.is_available() else 4096)
    device = torch.cuda.get_device_name() if torch.cuda.is_available() else f"CPU, {args.threads} thread(s)"
    print(f"# TNO causal, batch {args.batch}, {args.channels} channels, {device}; ratio = baseline / ours")
    print("name, size, ours, baseline, ratio")
    for mode in ("fwd", "fwd+bwd"):
        for n in args.sizes:
            impls = ["ours", "original"] + (["sdpa"] if n <= max_attn else [])
            ms = interleaved_times(impls, n, mode, args)
            mb = {impl: peak_memory(impl, n, mode, args.channels, args.batch) for impl in impls}
            for metric, values in (("time_ms", ms), ("peak_mb", mb)):
                for other in impls[1:]:
                    print(f"{mode} {metric} vs {other}, {n}, {values['ours']:.2f}, {values[other]:.2f}, "
                          f"{values[other] / max(values['ours'], 1e-9):.2f}", flush=True)


if __name__ == "__main__":
    main()
