"""The paper's Kinetics-400 experiment end to end, or its smoke version on generated videos.

    python -m video_linear.reproduce --profile full|smoke [--out DIR]

full: Kinetics-400 (`data/kinetics400`, see prepare.py) with the paper's K400 config on every local GPU
      (torchrun), 4 temporal x 3 spatial views at test time.
smoke: generated motion-direction videos in the Kinetics layout (class = direction a square moves), the
      same code path on CPU. The same model is trained twice: on real clips (`ours`) and on clips whose
      frames are all the middle frame (`baseline`, a single-frame model: it cannot see motion).
`results.json`: `metric` = "top1_acc" (multi-view, percent), `ours`, `baseline`, `chance`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

from shared.config import load_config
from shared.launch import local_gpus, train_command
from shared.launch import run as run_step
from shared.results import markdown_table, plot_metric
from video_linear.synthetic import generate
from video_linear.train import main as train_main

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = {"full": "video_linear/configs/k400.py", "smoke": "video_linear/configs/smoke.py"}


def train(args: list[str]) -> dict:
    if local_gpus() > 1:
        run_step(train_command("video_linear.train", args))
    else:
        print("+ python -m video_linear.train", " ".join(args), flush=True)
        train_main(args)
    run_dir = Path(args[args.index("--run-dir") + 1])
    return json.loads((run_dir / "results.json").read_text())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", choices=sorted(CONFIGS), default="full")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--max-steps", type=int, default=0, help="shorten training (quick looks, tests)")
    args = parser.parse_args(argv)
    out = args.out or ROOT / "runs" / "video_linear" / args.profile
    config = str(ROOT / CONFIGS[args.profile])
    cfg = load_config(config)
    steps = ["--set", f"train.max_steps={args.max_steps}"] if args.max_steps else []
    if args.profile == "full":
        if not (Path(cfg.data.root) / "train.csv").is_file():
            print(f"Kinetics-400 not found under {cfg.data.root} (expected train.csv/val.csv/test.csv); "
                  "prepare it with:\n"
                  f"  python -m video_linear.prepare --dataset kinetics400 --root {cfg.data.root}", file=sys.stderr)
            return 2
        result = train(["--config", config, "--run-dir", str(out / "k400"), *steps])
        (out / "results.json").write_text(json.dumps(result, indent=2) + "\n")
        print(json.dumps({k: result.get(k) for k in ("metric", "ours", "top5_acc")}))
        return 0

    torch.set_num_threads(1)  # tiny model on a shared CPU: more threads only contend
    data_root = out / "data"
    if not (data_root / "test.csv").is_file():
        generate(data_root, {"train": 160, "val": 16, "test": 40}, frames=24, size=cfg.model.img_size)
    common = ["--config", config, "--set", f"data.root={data_root}", "--no-resume", *steps]
    ours = train([*common, "--run-dir", str(out / "video")])
    single = train([*common, "--run-dir", str(out / "single_frame"), "--set", "data.single_frame=true"])
    rows = [{"model": "video (all frames)", "top1_acc": ours["ours"]},
            {"model": "single frame (baseline)", "top1_acc": single["ours"]}]
    table = markdown_table(rows, ["model", "top1_acc"])
    (out / "results.md").write_text(table)
    plot = plot_metric([out / "video", out / "single_frame"], "train/loss", out / "train_loss.png")
    results = {"metric": "top1_acc", "ours": ours["ours"], "baseline": single["ours"],
               "chance": 100.0 / cfg.model.num_classes, "parameters": ours["parameters"], "plot": str(plot)}
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(table)
    print(json.dumps({k: results[k] for k in ("metric", "ours", "baseline")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
