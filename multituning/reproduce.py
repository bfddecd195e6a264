"""AMF against standard fine-tuning and the equal-weight ensemble, as mean ± sd over seeds.

    python -m multituning.reproduce --profile smoke
    python -m multituning.reproduce --profile full [--datasets dtd,cifar10] [--seeds 0,1,2] [--schedules two_stage]
    python -m multituning.reproduce --profile dryrun

smoke (CPU, a few minutes): writes the smoke images, pretrains a small ResNet once on the source split (the
stand-in for ImageNet weights, the same for every seed), then for seeds 0, 1, 2 fine-tunes it under each setting
and trains the policy on held-out images (two_stage), and trains members and policy together (joint, SpotTune's
way). Every number is reported as mean ± sd over the seeds, beside standard fine-tuning and the equal-weight
ensemble of the same members.
full: each dataset's config through torchrun, once per seed and schedule; stops at once, printing the prepare
command, when a dataset or the ImageNet weights are missing.
dryrun: the full path at paper shapes (ResNet-50 members at 224 px, the policy at 112 px) on generated data in
each dataset's official layout and random weights in torchvision's ResNet-50 file format, a few steps each.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

from shared.reproduce import Run, main

HERE = Path(__file__).resolve().parent
PAPER = {  # AMF minus standard fine-tuning, in accuracy points (abstract of arXiv 2207.12944)
    "fgvc_aircraft": 1.69, "dtd": 2.79, "stanford_cars": None, "cifar10": None, "fashion_mnist": None}
SEEDS = (0, 1, 2)
SCHEDULES = ("two_stage", "joint")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--datasets", default=",".join(PAPER), help="full profile: comma-separated subset")
    parser.add_argument("--seeds", default=",".join(map(str, SEEDS)), help="comma-separated seeds (at least 3)")
    parser.add_argument("--schedules", default=",".join(SCHEDULES), help="two_stage, joint or both")


def _list(text: str, allowed=None, kind=str) -> list:
    items = [kind(t) for t in text.split(",") if t.strip()]
    unknown = sorted(set(items) - set(allowed)) if allowed is not None else []
    if unknown:
        raise SystemExit(f"error: unknown {unknown}; choose from {sorted(allowed)}")
    return items


def smoke(run: Run) -> dict:
    from multituning.configs._common import smoke_config
    from multituning.metrics import seed_summary
    from multituning.synthetic import build_smoke_data
    from multituning.train import pretrain
    from multituning.train import run as train_run
    from shared.results import plot_metric

    data = run.out / "data"
    cfg = smoke_config(str(data))
    with run.step("write the smoke images"):
        build_smoke_data(data)
    with run.step("pretrain the small backbone (once, shared by every seed)"):
        weights = pretrain(cfg, run.out / "pretrain", resume=False)
    cfg = replace(cfg, pretrain=replace(cfg.pretrain, weights=str(weights)))
    seeds, schedules = _list(run.args.seeds, kind=int), _list(run.args.schedules, SCHEDULES)
    if len(seeds) < 3:
        raise SystemExit(f"error: --seeds {run.args.seeds}: at least 3 seeds, so each number has a spread")
    per_run = []
    for schedule in schedules:
        for seed in seeds:
            with run.step(f"{schedule}, seed {seed}"):
                result = train_run(replace(cfg, schedule=schedule, seed=seed), run.out / f"{schedule}_seed{seed}",
                                   resume=False)
            per_run.append(result)
    summaries = {name: seed_summary([r for r in per_run if r["schedule"] == name]) for name in schedules}
    plot_metric(sorted(run.out.glob(f"{schedules[0]}_seed{seeds[0]}/*/")), "train/loss", run.out / "results.png")
    main_summary = summaries[schedules[0]]
    return {
        "metric": f"top-1 accuracy, mean over seeds {seeds} ({schedules[0]} AMF)",
        "ours": main_summary["amf_accuracy"]["mean"],
        "baseline": main_summary["standard_finetune"]["mean"],
        "baseline_name": "standard fine-tuning (same seeds)",
        "second_baseline": main_summary["uniform_fusion_accuracy"]["mean"],
        "second_baseline_name": "equal-weight ensemble of the same members",
        **summaries,
        "rows": [row for name in schedules for row in summary_rows("smoke", name, summaries[name])],
        "design_guesses": per_run[0]["design_guesses"],
        "runs": [{k: r[k] for k in ("schedule", "seed", "ours", "standard_finetune", "uniform_fusion_accuracy")}
                 for r in per_run],
    }


def summary_rows(dataset: str, schedule: str, summary: dict) -> list[dict]:
    """One table row per reported quantity, as mean ± sd (points, n seeds). Under the joint schedule the members
    are trained together with the policy, so its "standard" member is not standard fine-tuning on its own."""
    member = "standard member (trained jointly)" if schedule == "joint" else "standard fine-tuning"
    names = {"amf_accuracy": "AMF", "standard_finetune": member,
             "uniform_fusion_accuracy": "equal-weight ensemble", "amf_minus_standard": f"AMF - {member}",
             "amf_minus_uniform": "AMF - equal weights", "baseline": "majority class"}
    return [{"dataset": dataset, "schedule": schedule, "quantity": label,
             "top-1 (%)": f"{100 * summary[key]['mean']:.2f} ± {100 * summary[key]['sd']:.2f}",
             "seeds": summary[key]["n"]} for key, label in names.items()]


def _missing(datasets: list[str]) -> tuple[list[Path], str]:
    from multituning.data import build_split
    from shared.config import load_config

    missing, commands = [], []
    for name in datasets:
        cfg = load_config(HERE / "configs" / f"{name}.py")
        try:
            build_split(cfg.data, train=False)
        except (FileNotFoundError, ValueError):
            missing.append(Path(cfg.data.data_root))
            commands.append(f"python -m multituning.prepare {name}")
        weights = Path(cfg.members.backbone.pretrained_file)
        if not weights.is_file():
            missing.append(weights)
            commands.append("python -m multituning.prepare weights")
    return missing, "\n  ".join(dict.fromkeys(commands))


def run_datasets(run: Run, datasets: list[str], seeds: list[int], schedules: list[str],
                 extra: list[str] = ()) -> dict:
    """Every dataset x schedule x seed through the training command; one row per reported quantity."""
    from multituning.metrics import seed_summary
    from shared.launch import train_command

    rows, summaries = [], {}
    for name in datasets:
        for schedule in schedules:
            results = []
            for seed in seeds:
                run_dir = run.out / name / f"{schedule}_seed{seed}"
                with run.step(f"{name}, {schedule}, seed {seed}"):
                    run.sh(train_command("multituning.train", [
                        "--config", str(HERE / "configs" / f"{name}.py"), "--run-dir", str(run_dir),
                        "--set", f"schedule={schedule}", "--set", f"seed={seed}",
                        *[a for s in extra for a in ("--set", s)]]))
                results.append(json.loads((run_dir / "results.json").read_text()))
            summary = seed_summary(results)
            summaries[f"{name}/{schedule}"] = summary
            rows += summary_rows(name, schedule, summary)
            if PAPER[name] is not None:
                rows.append({"dataset": name, "schedule": "paper", "quantity": "AMF - standard",
                             "top-1 (%)": f"{PAPER[name]:+.2f}", "seeds": None})
    return {"metric": "top-1 accuracy, mean ± sd over seeds", "summaries": summaries, "rows": rows,
            "design_guesses": results[-1]["design_guesses"]}


def full(run: Run) -> dict:
    args = run.args
    datasets = _list(args.datasets, PAPER)
    missing, commands = _missing(datasets)
    run.require(missing, commands)
    return run_datasets(run, datasets, _list(args.seeds, kind=int), _list(args.schedules, SCHEDULES))


def dryrun(run: Run) -> dict:
    from multituning.dryrun import dryrun as run_dryrun

    return run_dryrun(run)


if __name__ == "__main__":
    main(__doc__, {"smoke": smoke, "dryrun": dryrun, "full": full}, add_arguments=add_arguments)
