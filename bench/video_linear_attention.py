"""Linear (ReLU kernel + feature fixation) vs softmax joint space-time attention as frames grow.

    python bench/video_linear_attention.py [--frames 8 16 32 64] [--grid 17] [--dim 512 --heads 8]

One attention layer over all T x N tokens of a clip (N = grid^2 tokens per frame; 17x17 at 224 px in
the paper's model), forward + backward. Prints `name, size, ours, baseline, ratio` rows: time per
call in ms (ratio = softmax / linear, > 1 means linear is faster) and, on CUDA, peak memory in MiB
(ratio = softmax / linear). The softmax baseline is the same module with `kernel="softmax"` (the
original's `linear_type='softmax'`: an explicit attention matrix, as XViT's Attention computes it).
On CPU the default grid is 7 (112 px) so that the softmax baseline fits in memory.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from video_linear.model import LinearAttention  # noqa: E402


def measure(module: torch.nn.Module, x: torch.Tensor, repeats: int) -> tuple[float, float]:
    """(ms per forward+backward, peak MiB on CUDA else nan)."""
    def step() -> None:
        module(x).sum().backward()

    step()  # warm-up
    if x.is_cuda:
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    start = time.perf_counter()
    for _ in range(repeats):
        step()
    if x.is_cuda:
        torch.cuda.synchronize()
    ms = (time.perf_counter() - start) / repeats * 1e3
    peak = torch.cuda.max_memory_allocated() / 2**20 if x.is_cuda else float("nan")
    return ms, peak


def main() -> None:
    cuda = torch.cuda.is_available()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, nargs="+", default=[8, 16, 32, 64])
    parser.add_argument("--grid", type=int, default=17 if cuda else 7)
    parser.add_argument("--dim", type=int, default=512 if cuda else 128)
    parser.add_argument("--heads", type=int, default=8 if cuda else 2)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=5 if cuda else 2)
    args = parser.parse_args()
    device = torch.device("cuda" if cuda else "cpu")
    torch.manual_seed(0)
    linear = LinearAttention(args.dim, args.heads, kernel="relu", feature_fixation=True).to(device)
    softmax = LinearAttention(args.dim, args.heads, kernel="softmax", feature_fixation=True).to(device)
    softmax.load_state_dict(linear.state_dict())
    print(f"# device={device.type} grid={args.grid} dim={args.dim} heads={args.heads} batch={args.batch}")
    print("name, size, ours, baseline, ratio")
    for frames in args.frames:
        tokens = frames * args.grid ** 2
        x = torch.randn(args.batch, tokens, args.dim, device=device, requires_grad=True)
        lin_ms, lin_mem = measure(linear, x, args.repeats)
        soft_ms, soft_mem = measure(softmax, x, args.repeats)
        print(f"time_ms, T={frames} (n={tokens}), {lin_ms:.2f}, {soft_ms:.2f}, {soft_ms / lin_ms:.2f}")
        if cuda:
            print(f"peak_mib, T={frames} (n={tokens}), {lin_mem:.1f}, {soft_mem:.1f}, {soft_mem / lin_mem:.2f}")


if __name__ == "__main__":
    main()
