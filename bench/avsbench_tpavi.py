"""TPAVI: our re-associated attention against the original algorithm (full THW x THW score matrix).

Prints `name, size, ours, baseline, ratio` rows (bench/timing.py: median of alternating repeats; ratio =
baseline / ours): forward time (ms) for one clip of 5 frames at 256 channels,
at the feature sizes of a 224 x 224 input (stride 32, 16, 8, 4), plus the score-matrix memory the original needs.
The baseline is the original 'dot' TPAVI forward written out inside this file (same weights).
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/timing.py
from timing import compare, print_header, print_row  # noqa: E402

from avsbench.tpavi import TPAVI  # noqa: E402


def original_dot_tpavi(block: TPAVI, x: torch.Tensor, audio: torch.Tensor) -> torch.Tensor:
    """The original TPAVIModule.forward ('dot'): repeat audio over H x W, full (THW, THW) scores, / N."""
    b, c, t, h, w = x.shape
    a = block.audio_proj(audio).permute(0, 2, 1)[..., None, None].repeat(1, 1, 1, h, w)  # b, c, t, h, w
    g = block.value(x).view(b, block.inter, -1).permute(0, 2, 1)
    theta = block.query(x).view(b, block.inter, -1).permute(0, 2, 1)
    phi = block.key(a).view(b, block.inter, -1)
    f = torch.matmul(theta, phi) / phi.shape[-1]  # b, THW, THW
    y = torch.matmul(f, g).permute(0, 2, 1).reshape(b, block.inter, t, h, w)
    z = block.out_bn(block.out_proj(y)) + x
    return block.norm(z.permute(0, 2, 3, 4, 1)).permute(0, 4, 1, 2, 3)


def main() -> None:
    torch.manual_seed(0)
    block = TPAVI(256).eval()
    torch.nn.init.normal_(block.out_bn.weight)  # a non-trivial block (the zero init makes it the identity)
    print_header()
    with torch.no_grad():
        for hw in (7, 14, 28, 56):
            x = torch.randn(1, 256, 5, hw, hw)
            audio = torch.randn(1, 5, 128)
            n = 5 * hw * hw
            if hw <= 28:
                ours_out, _ = block(x, audio)
                assert torch.allclose(ours_out, original_dot_tpavi(block, x, audio), atol=1e-4)
                t_ours, t_orig = compare(lambda x=x, audio=audio: block(x, audio),
                                         lambda x=x, audio=audio: original_dot_tpavi(block, x, audio),
                                         repeats=9 if hw <= 14 else 3)
                print_row("tpavi_forward", f"5x{hw}x{hw}", t_ours, t_orig)
            score_mb = n * n * 4 / 2**20
            ours_mb = (256 // 2) ** 2 * 4 / 2**20
            print_row("score_matrix_per_clip", f"5x{hw}x{hw}", ours_mb, score_mb, unit="MiB")


if __name__ == "__main__":
    main()
