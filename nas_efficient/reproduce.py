"""The paper's CIFAR-10 pipeline end to end: supernet -> search -> retrain the found sub-network.

    python -m nas_efficient.reproduce --profile full|smoke [--out DIR]

full: CIFAR-10 at 224 px on every local GPU (torchrun), the paper's search space with mixed attention,
      a latency-constrained evolutionary search on this device, then retraining from scratch.
smoke: the same three steps on scikit-learn's digits with a tiny space, on CPU in about a minute;
      the searched sub-network and random sub-networks under the same budget are retrained alike.
`results.json`: `metric` = "accuracy", `ours` = the searched sub-network's test accuracy, `baseline` =
the mean test accuracy of the random sub-networks of the same budget (`random_accuracies`).
The smoke profile also runs the translation loop through fairseq on a generated language pair
(`nas_efficient.translation_pipeline`: supernet -> search -> retrain of the searched and a random
sub-network) and adds its BLEU figures under `translation` (`--task cifar10` skips it). The full WMT'14
recipe is `nas_efficient/configs/wmt14_en_de.sh`.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

from nas_efficient.arch import Arch
from nas_efficient.evolution import EvolutionConfig
from nas_efficient.search import SearchOptions, cost_function, load_supernet, read_measurements, search
from nas_efficient.train import main as train_main
from shared.config import load_config
from shared.launch import local_gpus, train_command
from shared.launch import run as run_step
from shared.results import markdown_table

ROOT = Path(__file__).resolve().parents[1]
PROFILES = {
    "full": {"config": "nas_efficient/configs/cifar10_supernet.py", "subnet": "nas_efficient/configs/cifar10_subnet.py",
             "options": SearchOptions("latency", 0.0, 2000, 20), "evolution": EvolutionConfig(), "random": 3},
    "smoke": {"config": "nas_efficient/configs/smoke.py", "subnet": "nas_efficient/configs/smoke.py",
              # a FLOPs budget: the same on every machine and run (latencies are still measured and the
              # predictor's fit reported); the full profile constrains measured latency as the paper
              "options": SearchOptions("flops", 0.0, 24, 5), "random": 3,
              "evolution": EvolutionConfig(4, 30, 6, 12, 12)},
}


def random_feasible(run_dir: Path, out: Path, count: int, seed: int) -> list[Arch]:
    """`count` random sub-networks within the search's budget, by the same cost the search used."""
    summary = json.loads((out / "search.json").read_text())
    cfg, _ = load_supernet(run_dir)
    sample, measured = read_measurements(out / "latency_measurements.csv")
    cost, _ = cost_function(cfg, summary["constraint"], sample, measured, summary["evolution"]["seed"])
    rng = random.Random(seed)
    archs: list[Arch] = []
    while len(archs) < count:
        a = cfg.space.sample(rng)
        if cost(a) <= summary["budget"]:
            archs.append(a)
    return archs


def train(args: list[str]) -> None:
    """One training run: under torchrun on several GPUs, else in this process (no start-up cost)."""
    if local_gpus() > 1:
        run_step(train_command("nas_efficient.train", args))
    else:
        print("+ python -m nas_efficient.train", " ".join(args), flush=True)
        train_main(args)


def train_subnet(config: str, arch: Arch, run_dir: Path, extra: list[str]) -> dict:
    arch_file = run_dir.with_suffix(".arch.json")
    arch_file.parent.mkdir(parents=True, exist_ok=True)
    arch.save(arch_file)
    args = ["--config", config, "--run-dir", str(run_dir), "--set", "mode=subnet", "--set", f"arch_file={arch_file}",
            "--set", "train.find_unused_parameters=false", *extra]
    train(args)
    return json.loads((run_dir / "results.json").read_text())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", choices=sorted(PROFILES), default="full")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--max-steps", type=int, default=0, help="shorten every training run (quick looks, tests)")
    parser.add_argument("--task", choices=["all", "cifar10"], default="all",
                        help="smoke: also the toy translation loop through fairseq (all) or not")
    args = parser.parse_args(argv)
    p = PROFILES[args.profile]
    out = args.out or ROOT / "runs" / "nas_efficient" / args.profile
    if args.profile == "full":
        cfg = load_config(ROOT / p["config"])
        if not (Path(cfg.data.root) / "cifar-10-batches-py" / "test_batch").is_file():
            print(f"CIFAR-10 not found under {cfg.data.root}; prepare it with:\n"
                  f"  python -m nas_efficient.prepare --root {cfg.data.root}", file=sys.stderr)
            return 2
    supernet_dir = out / "supernet"
    steps = ["--set", f"train.max_steps={args.max_steps}"] if args.max_steps else []
    train(["--config", p["config"], "--run-dir", str(supernet_dir), *steps])
    search_dir = out / "search"
    summary = search(supernet_dir, search_dir, p["options"], p["evolution"], progress=args.profile == "full")
    best = Arch.load(search_dir / "best_arch.json")
    searched = train_subnet(p["subnet"], best, out / "retrain" / "searched", steps)
    randoms = [train_subnet(p["subnet"], a, out / "retrain" / f"random_{i}", steps)
               for i, a in enumerate(random_feasible(supernet_dir, search_dir, p["random"], seed=1))]
    rows = [{"network": "searched", "test_accuracy": searched["ours"], "parameters": searched["num_parameters"]}]
    rows += [{"network": f"random {i}", "test_accuracy": r["ours"], "parameters": r["num_parameters"]}
             for i, r in enumerate(randoms)]
    table = markdown_table(rows, ["network", "test_accuracy", "parameters"])
    (out / "results.md").write_text(table)
    random_acc = [r["ours"] for r in randoms]
    results = {
        "metric": "accuracy", "ours": searched["ours"], "baseline": sum(random_acc) / len(random_acc),
        "random_accuracies": random_acc, "majority_baseline": searched["baseline"],
        "searched_arch": searched["arch"], "budget": summary["budget"], "constraint": summary["constraint"],
        "predictor_fit": summary["predictor_fit"], "pareto_plot": str(search_dir / "pareto.png"),
    }
    if args.profile == "smoke" and args.task == "all":
        from nas_efficient.translation_pipeline import smoke as translation_smoke

        t = translation_smoke(out / "translation", updates=400, run_search=True, retrain=True)
        results["translation"] = {"metric": "BLEU", "supernet_bleu": t["ours"], "copy_source_bleu": t["baseline"],
                                  "searched_bleu": t["retrain"]["searched_bleu"],
                                  "random_bleu": t["retrain"]["random_bleu"], "searched_arch": t["search"]["arch"]}
        table += "\n" + markdown_table([{"network": n, "test_bleu": t["retrain"][f"{n}_bleu"]}
                                        for n in ("searched", "random")], ["network", "test_bleu"])
        (out / "results.md").write_text(table)
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(table)
    print(json.dumps({k: results[k] for k in ("metric", "ours", "baseline")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
