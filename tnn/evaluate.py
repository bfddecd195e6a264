"""Perplexity of a trained TNN LM on a split, at any length.

    python -m tnn.evaluate --run-dir runs/tnn/smoke-... [--split test] [--tokens-per-sample 512]
    python -m tnn.evaluate --config tnn/configs/wikitext103_alm.py --weights converted.pt   # converted fairseq-evo

As `fairseq-eval-lm --sample-break-mode none --context-window 0`: the split is one token stream cut
into blocks of `tokens-per-sample` (the last one shorter), each scored on its own; the perplexity is
2 ** (summed NLL / tokens / ln 2). Prints and returns JSON.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from shared.checkpoint import latest_checkpoint, load_checkpoint
from shared.config import load_config
from tnn.data import LMBlocks, load_tokens
from tnn.metrics import perplexity, token_nll
from tnn.model import TnnLM


@torch.no_grad()
def evaluate_ppl(model: torch.nn.Module, tokens: torch.Tensor, length: int, batch_size: int,
                 device: torch.device) -> float:
    was_training = model.training
    model.eval()
    blocks = LMBlocks(tokens, length)
    nll, count = 0.0, 0
    full = [i for i in range(len(blocks)) if len(blocks[i]["tokens"]) == length]
    rest = [i for i in range(len(blocks)) if len(blocks[i]["tokens"]) != length]
    batches = [full[i:i + batch_size] for i in range(0, len(full), batch_size)] + [[i] for i in rest]
    for idx in batches:
        inp = torch.stack([blocks[i]["tokens"] for i in idx]).to(device)
        tgt = torch.stack([blocks[i]["target"] for i in idx]).to(device)
        nll += float(token_nll(model(inp), tgt))
        count += tgt.numel()
    model.train(was_training)
    return perplexity(nll, count)


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
    parser.add_argument("--data-dir", default=None, help="default: the run's data.data_dir")
    parser.add_argument("--split", default="test", choices=("train", "valid", "test"))
    parser.add_argument("--tokens-per-sample", type=int, default=None, help="default: the training length")
    parser.add_argument("--batch-size", type=int, default=8)
    args = parser.parse_args()
    model, cfg = load_model(args.run_dir, args.weights, args.config)
    data_dir = args.data_dir or cfg.data.data_dir
    length = args.tokens_per_sample or cfg.data.tokens_per_sample
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    tokens = load_tokens(data_dir, args.split, cfg.model.vocab_size)
    ppl = evaluate_ppl(model.to(device), tokens, length, args.batch_size, device)
    print(json.dumps({"split": args.split, "tokens_per_sample": length, "ppl": ppl}))


if __name__ == "__main__":
    main()
