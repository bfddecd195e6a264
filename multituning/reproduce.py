"""Reproduce the paper's table (`--profile full`, every local GPU) or run the CPU smoke profile.

    python -m multituning.reproduce --profile smoke [--out runs/multituning/smoke]
    python -m multituning.reproduce --profile full  [--out runs/multituning/full] [--datasets dtd,cifar10]

smoke: writes the smoke images, pretrains a small ResNet on the source split, fine-tunes it under each
setting, trains the policy, and writes OUT/results.json (`ours` = AMF, `standard_finetune`, `baseline`
= majority class), OUT/results.md and OUT/results.png.
full: each dataset's config through torchrun; stops at once, printing the prepare command, when a
dataset or the ImageNet weights are missing.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from shared import launch
from shared.results import markdown_table, plot_metric

PAPER = {  # AMF minus standard fine-tuning, in accuracy points (abstract of arXiv 2207.12944)
    "fgvc_aircraft": 1.69, "dtd": 2.79, "stanford_cars": None, "cifar10": None, "fashion_mnist": None}
COLUMNS = ["dataset", "ours", "standard_finetune", "amf_minus_standard", "uniform_fusion_accuracy",
           "best_single_accuracy", "oracle_accuracy", "baseline", "wall_time_s"]


def smoke(out: Path) -> dict:
    from multituning.train import run
    from shared.config import apply_overrides, load_config

    config = Path(__file__).parent / "configs" / "smoke.py"
    data = out / "data"
    cfg = apply_overrides(load_config(config), [f"smoke_data_root={data}", f"data.root={data / 'target'}",
                                                f"pretrain.data.root={data / 'source'}"])
    run_dir = out / "run"
    if run_dir.exists():
        shutil.rmtree(run_dir)  # a fresh run each time: the smoke profile is a check, not a resumable job
    results = {**run(cfg, run_dir, resume=False), "profile": "smoke"}
    (out / "results.json").write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    table = markdown_table([results], COLUMNS)
    (out / "results.md").write_text(table + "\n")
    plot_metric([run_dir / "policy"] + sorted(run_dir.glob("finetune_*")), "train/loss", out / "results.png")
    print(table)
    return results


def missing_inputs(datasets: list[str]) -> list[str]:
    from multituning.data import build_split
    from shared.config import load_config

    problems = []
    for name in datasets:
        cfg = load_config(Path(__file__).parent / "configs" / f"{name}.py")
        try:
            build_split(cfg.data, train=False)
        except (FileNotFoundError, ValueError) as err:
            problems.append(f"{name}: {err}\n  prepare it with: python -m multituning.prepare {name} --root {cfg.data.root}")
        weights = Path(cfg.members.backbone.pretrained_file)
        if not weights.is_file():
            problems.append(f"{weights}: ImageNet ResNet-50 weights missing\n"
                            f"  prepare them with: python -m multituning.prepare weights --root {weights.parent}")
    return sorted(set(problems))


def full(out: Path, datasets: list[str]) -> None:
    problems = missing_inputs(datasets)
    if problems:
        sys.exit("missing inputs:\n" + "\n".join(problems))
    rows = []
    for name in datasets:
        run_dir = out / name
        launch.run(launch.train_command("multituning.train", ["--config", f"multituning/configs/{name}.py",
                                                               "--run-dir", str(run_dir)]))
        results = json.loads((run_dir / "results.json").read_text())
        paper = PAPER[name]
        rows.append({**results, "paper_amf_minus_standard": paper / 100 if paper is not None else "comparable"})
    table = markdown_table(rows, COLUMNS[:4] + ["paper_amf_minus_standard"] + COLUMNS[4:])
    (out / "results.md").write_text(table + "\n")
    print(table)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", choices=("full", "smoke"), default="full")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--datasets", default=",".join(PAPER), help="full profile: comma-separated subset")
    args = parser.parse_args(argv)
    out = args.out or Path("runs") / "multituning" / args.profile
    out.mkdir(parents=True, exist_ok=True)
    if args.profile == "smoke":
        smoke(out)
    else:
        datasets = [d for d in args.datasets.split(",") if d]
        unknown = sorted(set(datasets) - set(PAPER))
        if unknown:
            sys.exit(f"unknown datasets {unknown}; choose from {sorted(PAPER)}")
        full(out, datasets)


if __name__ == "__main__":
    main()
