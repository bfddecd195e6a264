"""Perplexity of a trained checkpoint (ours, or an original fairseq-evo one through convert.py).

    python -m transnormer.evaluate --config transnormer/configs/wikitext103_alm_t1.py \
        --checkpoint runs/transnormer/.../checkpoints/step_00100000.pt [--original] [--split test] [--out ppl.json]

As fairseq-eval-lm (--sample-break-mode none, --context-window 0): every token of the split is scored
once, in blocks of tokens_per_sample targets, the last block shorter (shared.lm). Prints and writes JSON.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

import torch

from shared.config import apply_overrides, load_config
from shared.lm import LMBlocks, evaluate_ppl
from transnormer.convert import convert_state_dict
from transnormer.data import EOS, load_dictionary, load_split
from transnormer.model import build_model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", required=True)
    parser.add_argument("--checkpoint", type=Path, required=True)
    parser.add_argument("--original", action="store_true", help="a fairseq-evo checkpoint (converted on load)")
    parser.add_argument("--split", default="test", choices=("train", "valid", "test"))
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    exp = apply_overrides(load_config(args.config), args.overrides)
    if exp.task != "alm":
        raise SystemExit("evaluate.py scores the autoregressive LM; the masked LM reports its perplexity in training")
    dictionary = load_dictionary(exp.data.data_root)
    exp = dataclasses.replace(exp, model=dataclasses.replace(exp.model, vocab_size=len(dictionary), dropout=0.0))
    if not args.checkpoint.is_file():
        raise SystemExit(f"error: checkpoint {args.checkpoint} does not exist")
    state = torch.load(args.checkpoint, map_location="cpu", weights_only=False)
    state = convert_state_dict(state) if args.original else state.get("model", state)
    model = build_model(exp)
    model.load_state_dict(state, strict=True)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model.to(device).eval()
    stream = load_split(exp.data.data_root, args.split, dictionary)
    blocks = LMBlocks(stream, exp.data.tokens_per_sample, EOS)
    result = {"split": args.split, "ppl": evaluate_ppl(model, blocks, exp.data.eval_batch_size), "tokens": stream.numel()}
    print(json.dumps(result))
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
