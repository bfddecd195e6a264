"""Greedy paragraph decoding: ours (media keys/values cached once) vs the original's algorithm (the whole
text + media sequence re-encoded at every step), same weights, same process. CPU by default, CUDA if present.

    python bench/favd_generation.py [--layers 12 --hidden 768 --steps 20]

Prints rows: name, size, ours, baseline (median of alternating repeats, bench/timing.py), ratio (baseline / ours);
checks both decode the same tokens.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/timing.py
from timing import compare, print_header, print_row  # noqa: E402

from favd.config import BertSettings, ModelConfig, SwinSettings
from favd.model import AVLFormer


def build(media_tokens: int, layers: int, hidden: int) -> AVLFormer:
    cfg = ModelConfig(swin=SwinSettings(embed_dim=8, depths=(1,), num_heads=(1,)),
                      bert=BertSettings(hidden_size=hidden, num_hidden_layers=layers, num_attention_heads=hidden // 64,
                                        intermediate_size=4 * hidden, img_feature_dim=512),
                      max_img_seq_length=media_tokens)
    cfg.audio.depth, cfg.audio.embed_dim, cfg.audio.num_heads = 1, 64, 1
    return AVLFormer(cfg).eval()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--hidden", type=int, default=256)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--media", type=int, nargs="*", default=[256, 1257])
    args = p.parse_args()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    print_header()
    for m in args.media:
        torch.manual_seed(0)
        model = build(m, args.layers, args.hidden).to(device)
        media = torch.randn(1, m, 512, device=device)
        model.encode_media = lambda frames, audio, media=media: media  # time the decoder only
        n = args.steps + 1
        mask = torch.zeros(1, n + m, n + m, device=device)
        mask[:, :n, :n] = torch.tril(torch.ones(n, n, device=device))
        mask[:, :n, n:] = 1
        mask[:, n:, n:] = 1
        outs = {}

        def decode(cache: bool, model=model, mask=mask, n=n, outs=outs) -> None:
            # eos id -1: never emitted, so every step runs
            outs[cache] = model.generate(None, None, mask, n, 101, -1, 0, 103, cache_media=cache)[0]

        ours, baseline = compare(lambda: decode(True), lambda: decode(False), repeats=3, device=device)
        assert torch.equal(outs[True], outs[False]), "cached and full decoding disagree"
        size = f"L{args.layers}-d{args.hidden}-media{m}-steps{args.steps}"
        print_row("greedy_decode", size, ours, baseline)


if __name__ == "__main__":
    main()
