"""Search a trained supernet for the best sub-network under a latency or FLOPs budget.

    python -m nas_efficient.search --supernet RUN_DIR [--constraint latency|flops] [--budget X] [--out DIR]

1. Measure the latency of `--latency-samples` random sub-networks on this device and fit the
   latency predictor (nas_efficient.cost) to them; its held-out fit is reported.
2. Evolve (nas_efficient.evolution) with the supernet's validation accuracy as the score (the
   sub-network inherits the supernet's weights) under both of the original's constraints: predicted
   latency (or FLOPs) <= budget, and parameters (the original's count) <= `--max-parameters` (25M).
   A budget <= 0 means the median of the measured sample (latency) or of the sampled FLOPs.
3. Write `best_arch.json` (what `train --set arch_file=...` retrains), `candidates.csv` (every scored
   architecture), `pareto.md` and `pareto.png` (accuracy vs cost, the front marked), `search.json`.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import statistics
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch

from nas_efficient.arch import Arch
from nas_efficient.config import EvolutionConfig, NasConfig, SearchOptions
from nas_efficient.cost import LatencyPredictor, flops, measure_latency_ms
from nas_efficient.data import build_datasets
from nas_efficient.evolution import evolve
from nas_efficient.model import VisionSupernet, count_parameters
from nas_efficient.train import accuracy
from shared import checkpoint as ckpt
from shared.config import load_config
from shared.results import markdown_table


def load_supernet(run_dir: Path) -> tuple[NasConfig, VisionSupernet]:
    cfg = load_config(run_dir / "config.json")
    if cfg.mode != "supernet":
        raise ValueError(f"{run_dir}/config.json: mode is {cfg.mode!r}; search needs a supernet run")
    path = ckpt.latest_checkpoint(run_dir / "checkpoints")
    if path is None:
        raise FileNotFoundError(f"{run_dir}/checkpoints: no checkpoint; train the supernet first")
    model = VisionSupernet(cfg.space, cfg.model)
    model.load_state_dict(ckpt.load_checkpoint(path)["model"])
    return cfg, model.eval()


def pareto_front(points: list[tuple[float, float]]) -> list[int]:
    """Indices of the points no other point beats on both cost (lower) and accuracy (higher)."""
    order = sorted(range(len(points)), key=lambda i: (points[i][0], -points[i][1]))
    front, best = [], -np.inf
    for i in order:
        if points[i][1] > best:
            front.append(i)
            best = points[i][1]
    return front


def plot_pareto(rows: list[dict], front: list[int], cost_name: str, out: Path,
                ylabel: str = "supernet validation accuracy") -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.scatter([r["cost"] for r in rows], [r["accuracy"] for r in rows], s=8, alpha=0.4, label="evaluated")
    fr = sorted((rows[i] for i in front), key=lambda r: r["cost"])
    ax.plot([r["cost"] for r in fr], [r["accuracy"] for r in fr], "r.-", label="Pareto front")
    ax.set_xlabel(cost_name)
    ax.set_ylabel(ylabel)
    ax.legend()
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return out


def flops_function(cfg: NasConfig) -> Callable[[Arch], float]:
    tokens = (cfg.model.image_size // cfg.model.patch_size) ** 2 + 1
    patch_pixels = cfg.model.in_chans * cfg.model.patch_size ** 2
    return lambda a: float(flops(a, tokens, cfg.model.head_dim, cfg.model.num_classes, patch_pixels))


def cost_function(cfg: NasConfig, constraint: str, sample: list[Arch], measured: list[float], seed: int,
                  ) -> tuple[Callable[[Arch], float], float]:
    """The cost the budget constrains and its default budget (the median over the measured sample)."""
    if constraint == "latency":
        predictor = LatencyPredictor().fit(sample, measured, seed)
        return (lambda a: float(predictor.predict([a])[0])), statistics.median(measured)
    if constraint == "flops":
        arch_flops = flops_function(cfg)
        return arch_flops, statistics.median(arch_flops(a) for a in sample)
    raise ValueError(f"constraint must be 'latency' or 'flops', got {constraint!r}")


def feasibility(cfg: NasConfig, cost: Callable[[Arch], float], budget: float,
                max_parameters: int) -> Callable[[Arch], bool]:
    """The original's `satisfy_constraints`: cost within the budget AND size within `max_parameters`
    (`get_sampled_params_numel`; 0: no size limit)."""
    def feasible(a: Arch) -> bool:
        if cost(a) > budget:
            return False
        return max_parameters <= 0 or count_parameters(cfg.model, cfg.space, a) <= max_parameters
    return feasible


def held_out_fit(sample: list[Arch], measured: list[float], seed: int) -> dict[str, float]:
    """How well a predictor fitted on 80% of the measurements ranks the other 20%."""
    cut = max(len(sample) * 4 // 5, 4)
    if len(sample) <= cut:
        return {}
    from scipy.stats import kendalltau

    pred = LatencyPredictor().fit(sample[:cut], measured[:cut], seed).predict(sample[cut:])
    return {"kendall_tau": float(kendalltau(pred, measured[cut:]).statistic),
            "mean_abs_error_ms": float(np.mean(np.abs(pred - np.asarray(measured[cut:]))))}


def read_measurements(path: Path) -> tuple[list[Arch], list[float]]:
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    return [Arch(**json.loads(r["arch"])) for r in rows], [float(r["latency_ms"]) for r in rows]


def search(run_dir: Path, out: Path, opts: SearchOptions, evo: EvolutionConfig, progress: bool = True) -> dict:
    cfg, model = load_supernet(run_dir)
    model.to("cuda" if torch.cuda.is_available() else "cpu")  # latencies of the device the search runs on
    out.mkdir(parents=True, exist_ok=True)
    val = build_datasets(cfg.data.dataset, cfg.data.root, cfg.model.image_size, augment=False)["val"]
    arch_flops = flops_function(cfg)
    rng = random.Random(evo.seed)
    sample = [cfg.space.sample(rng) for _ in range(opts.latency_samples)]
    measured = [measure_latency_ms(model, a, warmup=opts.latency_warmup, repeats=opts.latency_repeats) for a in sample]
    fit = held_out_fit(sample, measured, evo.seed)
    cost, default_budget = cost_function(cfg, opts.constraint, sample, measured, evo.seed)
    budget = opts.budget if opts.budget > 0 else default_budget

    def score(a: Arch) -> float:
        return accuracy(model, val, cfg.data.eval_batch_size, a, opts.eval_limit)

    feasible = feasibility(cfg, cost, budget, opts.max_parameters)
    result = evolve(cfg.space, score, feasible, evo, progress)
    rows = [{"arch": key, "cost": cost(a), "accuracy": s, "flops": arch_flops(a),
             "parameters": count_parameters(cfg.model, cfg.space, a)} for key, (a, s) in result.evaluated.items()]
    front = pareto_front([(r["cost"], r["accuracy"]) for r in rows])
    with (out / "candidates.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["arch", "cost", "accuracy", "flops", "parameters"])
        writer.writeheader()
        writer.writerows(rows)
    with (out / "latency_measurements.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["arch", "latency_ms"])
        writer.writeheader()
        writer.writerows({"arch": a.to_json(), "latency_ms": m} for a, m in zip(sample, measured, strict=True))
    cost_name = "predicted latency (ms)" if opts.constraint == "latency" else "FLOPs (MACs)"
    front_rows = sorted(({"cost": rows[i]["cost"], "accuracy": rows[i]["accuracy"], "arch": rows[i]["arch"]}
                         for i in front), key=lambda r: r["cost"])
    (out / "pareto.md").write_text(f"cost: {cost_name}\n\n" + markdown_table(front_rows, ["cost", "accuracy", "arch"]))
    plot_pareto(rows, front, cost_name, out / "pareto.png")
    result.best.save(out / "best_arch.json")
    summary = {
        "best_arch": json.loads(result.best.to_json()), "best_score": result.best_score,
        "best_cost": cost(result.best), "constraint": opts.constraint, "budget": budget,
        "max_parameters": opts.max_parameters, "best_parameters": count_parameters(cfg.model, cfg.space, result.best),
        "evaluated": len(rows), "predictor_fit": fit, "options": asdict(opts), "evolution": asdict(evo),
        "parents_best_per_generation": [h[0] for h in result.history],
    }
    (out / "search.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--supernet", type=Path, required=True, help="the supernet's run folder")
    parser.add_argument("--out", type=Path, default=None, help="default: <supernet>/search")
    parser.add_argument("--constraint", choices=["latency", "flops"], default="latency")
    parser.add_argument("--budget", type=float, default=0.0, help="ms or MACs; <= 0: the sample's median")
    parser.add_argument("--max-parameters", type=int, default=SearchOptions.max_parameters,
                        help="the original's size constraint (its parameter count); 0: none")
    parser.add_argument("--latency-samples", type=int, default=100)
    parser.add_argument("--latency-repeats", type=int, default=10)
    parser.add_argument("--eval-limit", type=int, default=None)
    parser.add_argument("--generations", type=int, default=30)
    parser.add_argument("--population", type=int, nargs=3, default=[25, 50, 50], metavar=("PARENTS", "MUT", "CROSS"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_grad_enabled(False)
    parents, mutants, children = args.population
    evo = EvolutionConfig(args.generations, parents + mutants + children, parents, mutants, children, seed=args.seed)
    opts = SearchOptions(args.constraint, args.budget, args.max_parameters, args.latency_samples, args.latency_repeats,
                         eval_limit=args.eval_limit)
    summary = search(args.supernet, args.out or args.supernet / "search", opts, evo)
    print(json.dumps({k: summary[k] for k in ("best_arch", "best_score", "best_cost", "budget")}))


if __name__ == "__main__":
    main()
