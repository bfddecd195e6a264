"""Perplexity of a trained TNN LM on a split, at any length.

    python -m tnn.evaluate --run-dir runs/tnn/smoke/run [--split test] [--tokens-per-sample 512]
    python -m tnn.evaluate --config tnn/configs/wikitext103_alm.py --weights converted.pt   # converted fairseq-evo

As `fairseq-eval-lm --sample-break-mode none --context-window 0`: the split is one token stream cut
into blocks of `tokens-per-sample` targets (the last one shorter, the first token predicted from </s>),
each scored on its own; the perplexity is 2 ** (summed NLL / tokens / ln 2). Prints and returns JSON.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from shared.checkpoint import latest_checkpoint, load_checkpoint
from shared.config import load_config
from shared.lm import LMBlocks
from shared.lm import evaluate_ppl as evaluate_blocks
from tnn.data import load_tokens
from tnn.model import TnnLM

EOS = 2  # fairseq dictionaries: </s>


def evaluate_ppl(model: torch.nn.Module, tokens: torch.Tensor, length: int, batch_size: int,
                 device: torch.device | None = None) -> float:
    """fairseq-eval-lm's perplexity of `tokens` (one split's stream) in blocks of `length` targets."""
    return evaluate_blocks(model, LMBlocks(tokens, length, EOS), batch_size, device)


def load_model(run_dir: str | Path | None, weights: str | Path | None = None,
               config: str | Path | None = None) -> tuple[TnnLM, object]:
    """The model of a run (its config.json and newest checkpoint), or of `config` with `weights`
    (e.g. tnn/configs/wikitext103_alm.py with a checkpoint converted by tnn.convert)."""
    if run_dir is None and (config is None or weights is None):
        raise ValueError("give --run-dir, or both --config and --weights")
    cfg = load_config(config if config is not None else Path(run_dir) / "config.json")
    model = TnnLM(cfg.model)
    if weights is not None:
        state = torch.load(weights, map_location="cpu", weights_only=True)
    else:
        run_dir = Path(run_dir)
        path = latest_checkpoint(run_dir / "checkpoints")
        if path is None:
            raise FileNotFoundError(f"{run_dir}/checkpoints: no checkpoint; train first or pass --weights")
        state = load_checkpoint(path)["model"]
    model.load_state_dict(state, strict=True)
    return model.eval(), cfg


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run-dir", type=Path, default=None, help="a run folder of tnn.train (config.json)")
    parser.add_argument("--config", type=Path, default=None, help="a config file, instead of the run's config.json")
    parser.add_argument("--weights", type=Path, default=None, help="a state dict instead of the run's checkpoint")
    parser.add_argument("--data-root", default=None, help="default: the config's data.data_root")
    parser.add_argument("--split", default="test", choices=("train", "valid", "test"))
    parser.add_argument("--tokens-per-sample", type=int, default=None, help="default: the training length")
    parser.add_argument("--batch-size", type=int, default=8)
    args = parser.parse_args()
    model, cfg = load_model(args.run_dir, args.weights, args.config)
    data_root = args.data_root or cfg.data.data_root
    length = args.tokens_per_sample or cfg.data.tokens_per_sample
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    tokens = load_tokens(data_root, args.split, cfg.model.vocab_size)
    ppl = evaluate_ppl(model.to(device), tokens, length, args.batch_size, device)
    print(json.dumps({"split": args.split, "tokens_per_sample": length, "ppl": ppl}))


if __name__ == "__main__":
    main()
