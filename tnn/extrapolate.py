"""Length extrapolation: perplexity of a model trained at one length, evaluated at longer ones.

    python -m tnn.extrapolate --run-dir RUN [--lengths 512 1024 2048 4096 8192 14336] [--out DIR]
    python -m tnn.extrapolate --config tnn/configs/wikitext103_alm.py --weights converted.pt --lengths 512 ... 14336

The paper trains at 512 tokens and evaluates at 512 ... 14K (OpenNLPLab/Tnn length_extrapolation.sh:
fairseq-eval-lm with --tokens-per-sample / --max-tokens set to the length, --context-window 0).
Prints a Markdown table, writes DIR/extrapolation.{json,md,png} (default DIR: the run folder).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

import torch

from shared.results import markdown_table
from tnn.data import load_tokens
from tnn.evaluate import evaluate_ppl, load_model


def extrapolation_table(model: torch.nn.Module, tokens: torch.Tensor, lengths: Sequence[int], train_length: int,
                        batch_size: int, device: torch.device) -> list[dict]:
    rows = []
    for length in lengths:
        ppl = evaluate_ppl(model, tokens, length, max(1, batch_size * train_length // length), device)
        rows.append({"length": length, "x_train": length / train_length, "ppl": ppl})
    base = rows[0]["ppl"]
    for row in rows:
        row["ppl_ratio"] = row["ppl"] / base
    return rows


def plot(rows: list[dict], out: Path, title: str) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.plot([r["length"] for r in rows], [r["ppl"] for r in rows], marker="o")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("evaluation length (tokens)")
    ax.set_ylabel("perplexity")
    ax.set_title(title, fontsize="small")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return out


def write_report(rows: list[dict], out_dir: Path, title: str) -> str:
    out_dir.mkdir(parents=True, exist_ok=True)
    table = markdown_table(rows, ["length", "x_train", "ppl", "ppl_ratio"])
    (out_dir / "extrapolation.json").write_text(json.dumps(rows, indent=2) + "\n")
    (out_dir / "extrapolation.md").write_text(table + "\n")
    plot(rows, out_dir / "extrapolation.png", title)
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run-dir", type=Path, default=None, help="a run folder of tnn.train")
    parser.add_argument("--config", type=Path, default=None, help="a config file, with --weights (e.g. converted)")
    parser.add_argument("--weights", type=Path, default=None)
    parser.add_argument("--split", default="test")
    parser.add_argument("--lengths", type=int, nargs="+", default=None,
                        help="default: the training length x 1, 2, 4, ..., 16 (the paper: 512 ... 14336)")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    model, cfg = load_model(args.run_dir, args.weights, args.config)
    train_length = cfg.data.tokens_per_sample
    lengths = args.lengths or [train_length * 2**k for k in range(5)]
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    tokens = load_tokens(cfg.data.data_root, args.split, cfg.model.vocab_size)
    rows = extrapolation_table(model.to(device), tokens, lengths, train_length, args.batch_size, device)
    out = args.out or args.run_dir or Path("runs") / "tnn" / "extrapolation"
    print(write_report(rows, out, f"trained at {train_length} tokens"))


if __name__ == "__main__":
    main()
