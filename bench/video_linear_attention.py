"""Linear (ReLU kernel + feature fixation) vs softmax joint space-time attention as frames grow.

    python bench/video_linear_attention.py [--frames 8 16 32 64] [--grid 17] [--dim 512 --heads 8]

One attention layer over all T x N tokens of a clip (N = grid^2 tokens per frame; 17x17 at 224 px in
the paper's model), forward + backward. Prints `name, size, ours, baseline, ratio` rows: time per call in
ms (bench/timing.py: median of alternating repeats) and peak memory in MiB (ratio = baseline / ours: > 1
means ours is faster / smaller). Peak memory: CUDA's allocator on GPU; on CPU the growth of the peak
resident set during one step of a fresh process per case, over its resident set before the step (Linux
/proc; the cases do not see each other's allocations). The softmax baseline is the same module
with `kernel="softmax"` (the original's `linear_type='softmax'`: an explicit attention matrix, as
XViT's Attention computes it). A third pair of rows compares ours with the original implementation's
order of operations (einops rearranges into `b n h e`, gate, `matmul` on transposed views), re-written
here as a reference only: same weights, same result, different memory traffic.
On CPU the defaults are smaller (7x7 tokens per frame, width 128).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import torch
import torch.nn.functional as F
from einops import rearrange

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/timing.py
from timing import compare, print_header, print_row  # noqa: E402

from video_linear.model import LinearAttention  # noqa: E402


class OriginalOrder(torch.nn.Module):
    """The original `LinearAttention.forward` (relu kernel, separate gates) step by step, as a reference."""

    def __init__(self, attn: LinearAttention) -> None:
        super().__init__()
        self.attn = attn

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a = self.attn
        qkv = rearrange(a.qkv(x), "b n (k c) -> k b n c", k=3)
        q, k, v = rearrange(qkv, "k b n (h e) -> k b n h e", h=a.num_heads)
        q_, k_ = F.relu(q) + a.scale, F.relu(k) + a.scale
        qk = torch.cat([q_, k_, v], 3)
        q_ = torch.sigmoid(a.q_gate(qk)) * q_
        k_ = torch.sigmoid(a.k_gate(qk)) * k_
        kv_ = torch.matmul(rearrange(k_, "b n h e -> b h e n"), rearrange(v, "b n h e -> b h n e"))
        z_ = 1 / (torch.sum(q_ * torch.sum(k_, 1, keepdim=True), -1) + 1e-6)
        out = torch.matmul(q_.transpose(1, 2), kv_).transpose(1, 2) * z_.unsqueeze(-1)
        return a.proj(rearrange(out, "b n h e -> b n (h e)"))


def build_case(kernel: str, tokens: int, dim: int, heads: int, device: str):
    """Forward + backward of one attention layer of `kernel` ("relu", "softmax" or "original") on one clip."""
    torch.manual_seed(0)
    module = LinearAttention(dim, heads, kernel="softmax" if kernel == "softmax" else "relu",
                             feature_fixation=True).to(device)
    if kernel == "original":
        module = OriginalOrder(module)
    x = torch.randn(1, tokens, dim, device=device, requires_grad=True)
    return lambda: module(x).sum().backward()


def peak_mib(kernel: str, tokens: int, dim: int, heads: int, device: str) -> float:
    """Peak memory of one step: CUDA's allocator, or a fresh process's peak RSS growth on CPU."""
    if device == "cuda":
        step = build_case(kernel, tokens, dim, heads, device)
        step()
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated()
        step()
        return (torch.cuda.max_memory_allocated() - base) / 2**20
    cmd = [sys.executable, __file__, "--child", kernel, str(tokens), str(dim), str(heads)]
    return float(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)


def _status_kib(field: str) -> int:
    """A memory figure of this process from /proc/self/status (kB)."""
    line = next(x for x in Path("/proc/self/status").read_text().splitlines() if x.startswith(field + ":"))
    return int(line.split()[1])


def child(kernel: str, tokens: str, dim: str, heads: str) -> None:
    """Peak RSS growth of one step over the resident set before it (the peak is reset first: clear_refs 5)."""
    torch.set_num_threads(1)
    step = build_case(kernel, int(tokens), int(dim), int(heads), "cpu")
    Path("/proc/self/clear_refs").write_text("5")
    before = _status_kib("VmRSS")
    step()
    print((_status_kib("VmHWM") - before) / 1024)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(*sys.argv[2:6])
        return
    cuda = torch.cuda.is_available()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, nargs="+", default=[8, 16, 32, 64])
    parser.add_argument("--grid", type=int, default=17 if cuda else 7)
    parser.add_argument("--dim", type=int, default=512 if cuda else 128)
    parser.add_argument("--heads", type=int, default=8 if cuda else 2)
    parser.add_argument("--repeats", type=int, default=5 if cuda else 3)
    args = parser.parse_args()
    device = "cuda" if cuda else "cpu"
    print_header()
    for frames in args.frames:
        tokens = frames * args.grid ** 2
        size = f"T={frames} n={tokens} d={args.dim} {device}"
        cases = {k: build_case(k, tokens, args.dim, args.heads, device) for k in ("relu", "softmax", "original")}
        for name, baseline in (("linear_vs_softmax", "softmax"), ("ours_vs_original_order", "original")):
            print_row(f"{name}_time", size, *compare(cases["relu"], cases[baseline], repeats=args.repeats,
                                                     device=device))
            mem = [peak_mib(k, tokens, args.dim, args.heads, device) for k in ("relu", baseline)]
            print_row(f"{name}_peak_mib", size, *mem, unit="MiB")


if __name__ == "__main__":
    main()
