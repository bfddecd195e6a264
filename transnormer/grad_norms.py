"""The paper's gradient claim made visible: gradient norms of the attention inputs during training,
vanilla (scaled) linear attention against NormAttention, same kernel (1+elu), same data, same seed.

    python -m transnormer.grad_norms [--out runs/transnormer/grad_norms] [--steps 300] [--corpus DIR]

Writes grad_norms.json (per step and layer, plus each model's relative standard deviation over steps,
the statistic of the paper's Table 2) and grad_norms.png. Every layer uses linear attention (no
DiagAttention), so the two models differ only in scaling vs normalisation.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

import torch
import torch.nn.functional as F

from shared.lm import LMBlocks
from shared.rng import seed_everything
from transnormer.attention import NormAttention
from transnormer.config import TransNormerConfig
from transnormer.data import EOS, load_dictionary, load_split
from transnormer.model import TransNormerLM
from transnormer.synthetic import generate_corpus

VARIANTS = {"vanilla linear attention (scaling)": True, "NormAttention": False}


def record(scaling: bool, data, vocab: int, steps: int, batch_size: int, seed: int) -> list[list[float]]:
    """Per step, the gradient norm of each attention layer's input (b, n, d)."""
    seed_everything(seed)
    cfg = TransNormerConfig(vocab_size=vocab, embed_dim=64, num_layers=4, num_heads=4, num_diag_layers=0, kernel="1+elu",
                            scaling=scaling, dropout=0.0, max_positions=data.length, chunk_size=16)
    model = TransNormerLM(cfg)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.98))
    inputs: list[torch.Tensor] = []

    def keep_input(module, args):  # the attention's input, with its gradient retained
        args[0].retain_grad()
        inputs.append(args[0])

    for m in model.modules():
        if isinstance(m, NormAttention):
            m.register_forward_pre_hook(keep_input)
    g = torch.Generator().manual_seed(seed)
    history = []
    for _ in range(steps):
        idx = torch.randint(len(data), (batch_size,), generator=g).tolist()
        tokens = torch.stack([data[i]["tokens"] for i in idx])
        target = torch.stack([data[i]["target"] for i in idx])
        inputs.clear()
        loss = F.cross_entropy(model(tokens).flatten(0, 1), target.flatten())
        optimizer.zero_grad()
        loss.backward()
        history.append([float(x.grad.norm()) for x in inputs])
        optimizer.step()
    return history


def relative_std(values: list[float]) -> float:
    return statistics.pstdev(values) / statistics.fmean(values)


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 4))
    for name, per_step in results.items():
        ax.plot([statistics.fmean(layers) for layers in per_step], label=name)
    ax.set_yscale("log")
    ax.set_xlabel("training step")
    ax.set_ylabel("||dL/dx|| at the attention input (mean over layers)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("runs/transnormer/grad_norms"))
    parser.add_argument("--corpus", type=Path, default=None, help="a WikiText-layout folder (default: generated)")
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--tokens-per-sample", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    corpus = args.corpus or generate_corpus(args.out / "corpus")
    dictionary = load_dictionary(corpus)
    data = LMBlocks(load_split(corpus, "train", dictionary), args.tokens_per_sample, EOS, full_only=True)
    results = {name: record(scaling, data, len(dictionary), args.steps, args.batch_size, args.seed)
               for name, scaling in VARIANTS.items()}
    summary = {name: {"relative_std": relative_std([statistics.fmean(s) for s in steps]),
                      "max": max(max(s) for s in steps), "mean": statistics.fmean(statistics.fmean(s) for s in steps)}
               for name, steps in results.items()}
    (args.out / "grad_norms.json").write_text(json.dumps({"summary": summary, "per_step": results}, indent=1) + "\n")
    plot(results, args.out / "grad_norms.png")
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
