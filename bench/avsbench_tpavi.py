"""TPAVI: our re-associated attention against the original algorithm (full THW x THW score matrix).

Prints `name, size, ours, baseline, ratio` rows: forward time (ms) for one clip of 5 frames at 256 channels,
at the feature sizes of a 224 x 224 input (stride 32, 16, 8, 4), plus the score-matrix memory the original needs.
The baseline is the original 'dot' TPAVI forward written out inside this file (same weights).
"""

from __future__ import annotations

import time

import torch

from avsbench.tpavi import TPAVI


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


def timed(fn, repeats: int) -> float:
    fn()
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - start) / repeats * 1e3


def main() -> None:
    torch.manual_seed(0)
    block = TPAVI(256).eval()
    torch.nn.init.normal_(block.out_bn.weight)  # a non-trivial block (the zero init makes it the identity)
    print("name, size, ours, baseline, ratio")
    with torch.no_grad():
        for hw in (7, 14, 28, 56):
            x = torch.randn(1, 256, 5, hw, hw)
            audio = torch.randn(1, 5, 128)
            n = 5 * hw * hw
            if hw <= 28:
                ours_out, _ = block(x, audio)
                assert torch.allclose(ours_out, original_dot_tpavi(block, x, audio), atol=1e-4)
                repeats = 20 if hw <= 14 else 3
                t_ours = timed(lambda x=x, audio=audio: block(x, audio), repeats)
                t_orig = timed(lambda x=x, audio=audio: original_dot_tpavi(block, x, audio), repeats)
                print(f"tpavi_forward_ms, 5x{hw}x{hw}, {t_ours:.2f}, {t_orig:.2f}, {t_orig / t_ours:.1f}")
            score_mb = n * n * 4 / 2**20
            ours_mb = (256 // 2) ** 2 * 4 / 2**20
            print(f"score_matrix_MiB_per_clip, 5x{hw}x{hw}, {ours_mb:.3f}, {score_mb:.1f}, {score_mb / ours_mb:.0f}")


if __name__ == "__main__":
    main()
