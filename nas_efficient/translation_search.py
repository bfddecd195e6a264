"""Search a fairseq-trained translation supernet (HAT/mixFormer `evo_search.py` for WMT'14 En-De).

    python -m nas_efficient.translation_search --checkpoint SUPERNET.pt --data-bin DIR --out DIR
        [--constraint latency|params] [--budget X] [--valid-sentences 1000]

1. Latency: measure random sub-networks on this device (batch 1, a source of `--source-length` tokens,
   `--target-length` greedy decoder steps, as HAT's latency measurement) and fit the latency predictor
   (nas_efficient.cost.LatencyPredictor on `TranslationArch.features`).
2. Evolve (nas_efficient.evolution) with the validation loss of each sub-network inheriting the
   supernet's weights as the score (HAT scores by validation loss too), under the budget; a budget <= 0
   means the median of the sample.
3. Write `best_arch.json` (for `fairseq-train --subnet-arch`), `candidates.csv`, `pareto.md`/`pareto.png`
   (validation loss against cost, the front marked) and `search.json`.
Our decoder recomputes the prefix at every step (no key/value cache), so measured latencies grow
faster with target length than HAT's incremental decoder.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import statistics
import time
from pathlib import Path

import torch

from nas_efficient.config import EvolutionConfig
from nas_efficient.cost import LatencyPredictor
from nas_efficient.search import pareto_front, plot_pareto
from nas_efficient.translation_arch import TranslationArch
from nas_efficient.translation_model import TranslationSupernet, count_parameters
from nas_efficient.translation_pipeline import load_supernet, make_batch, search
from shared.results import markdown_table


@torch.no_grad()
def measure_latency_ms(model: TranslationSupernet, arch: TranslationArch, source_length: int = 23,
                       target_length: int = 23, warmup: int = 2, repeats: int = 5) -> float:
    """Median wall time of encoding one sentence and decoding `target_length` tokens greedily."""
    model.eval()
    device = next(model.parameters()).device
    src = torch.full((1, source_length), model.padding_idx + 3, device=device)
    times = []
    for i in range(warmup + repeats):
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        start = time.perf_counter()
        memory = model.encode(src, arch)
        prev = torch.full((1, 1), 2, device=device)  # </s> starts the decoder input, as fairseq
        for _ in range(target_length):
            logits = model.output_layer(model.decode(prev, memory, arch)[:, -1:])
            prev = torch.cat([prev, logits.argmax(-1)], dim=1)
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        if i >= warmup:
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def load_valid_batches(data_bin: Path, source: str, target: str, limit: int, batch_size: int = 64) -> list:
    """The first `limit` sentence pairs of the binarized valid split, batched by length."""
    from fairseq.data import Dictionary, data_utils

    vocab = Dictionary.load(str(data_bin / f"dict.{source}.txt"))
    sets = []
    for lang in (source, target):
        prefix = data_bin / f"valid.{source}-{target}.{lang}"
        dataset = data_utils.load_indexed_dataset(str(prefix), vocab)
        if dataset is None:
            raise FileNotFoundError(f"{prefix}.bin/.idx: no binarized valid split for {lang}")
        sets.append([dataset[i].tolist() for i in range(min(limit, len(dataset)))])
    order = sorted(range(len(sets[0])), key=lambda i: len(sets[0][i]))
    return [make_batch([sets[0][i] for i in chunk], [sets[1][i] for i in chunk], vocab.pad(), vocab.eos())
            for chunk in (order[k:k + batch_size] for k in range(0, len(order), batch_size))]


def run(checkpoint: Path, data_bin: Path, out: Path, constraint: str, budget: float, evo: EvolutionConfig,
        source: str, target: str, valid_sentences: int, latency_samples: int) -> dict:
    model = load_supernet(checkpoint)
    out.mkdir(parents=True, exist_ok=True)
    batches = load_valid_batches(data_bin, source, target, valid_sentences)
    vocab = len(model.embed.weight)
    rng = random.Random(evo.seed)
    sample = [model.space.sample(rng) for _ in range(latency_samples)]
    if constraint == "latency":
        measured = [measure_latency_ms(model, a) for a in sample]
        predictor = LatencyPredictor().fit(sample, measured, evo.seed)

        def cost(a: TranslationArch) -> float:
            return float(predictor.predict([a])[0])

        cost_name = "predicted latency (ms)"
        with (out / "latency_measurements.csv").open("w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=["arch", "latency_ms"])
            writer.writeheader()
            writer.writerows({"arch": a.to_json(), "latency_ms": m} for a, m in zip(sample, measured, strict=True))
    elif constraint == "params":
        measured = [float(count_parameters(model, a, vocab)) for a in sample]

        def cost(a: TranslationArch) -> float:
            return float(count_parameters(model, a, vocab))

        cost_name = "parameters"
    else:
        raise ValueError(f"constraint must be 'latency' or 'params', got {constraint!r}")
    budget = budget if budget > 0 else statistics.median(measured)
    found = search(model, batches, vocab, budget, evo, cost)
    rows = [{"cost": c["cost"], "valid_loss": c["valid_loss"], "arch": json.dumps(c["arch"])}
            for c in found.pop("candidates")]
    with (out / "candidates.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["arch", "cost", "valid_loss"])
        writer.writeheader()
        writer.writerows(rows)
    front = pareto_front([(r["cost"], -r["valid_loss"]) for r in rows])
    front_rows = sorted((rows[i] for i in front), key=lambda r: r["cost"])
    (out / "pareto.md").write_text(f"cost: {cost_name}\n\n" + markdown_table(front_rows, ["cost", "valid_loss", "arch"]))
    plot_pareto([{"cost": r["cost"], "accuracy": r["valid_loss"]} for r in rows], front, cost_name,
                out / "pareto.png", ylabel="supernet validation loss (nats/token)")
    TranslationArch(**found["arch"]).save(out / "best_arch.json")
    summary = {**found, "constraint": constraint, "cost_name": cost_name, "checkpoint": str(checkpoint)}
    (out / "search.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", type=Path, required=True, help="fairseq checkpoint of the supernet")
    parser.add_argument("--data-bin", type=Path, required=True, help="fairseq-preprocess output (joined dictionary)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--source-lang", default="en")
    parser.add_argument("--target-lang", default="de")
    parser.add_argument("--constraint", choices=["latency", "params"], default="latency")
    parser.add_argument("--budget", type=float, default=0.0, help="ms or parameters; <= 0: the sample's median")
    parser.add_argument("--latency-samples", type=int, default=100)
    parser.add_argument("--valid-sentences", type=int, default=1000)
    parser.add_argument("--generations", type=int, default=30)
    parser.add_argument("--population", type=int, nargs=3, default=[25, 50, 50], metavar=("PARENTS", "MUT", "CROSS"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    parents, mutants, children = args.population
    evo = EvolutionConfig(args.generations, parents + mutants + children, parents, mutants, children, seed=args.seed)
    summary = run(args.checkpoint, args.data_bin, args.out, args.constraint, args.budget, evo, args.source_lang,
                  args.target_lang, args.valid_sentences, args.latency_samples)
    print(json.dumps({k: summary[k] for k in ("arch", "valid_loss", "cost", "budget")}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
