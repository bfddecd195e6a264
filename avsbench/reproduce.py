"""Reproduce the paper's main table (full) or run the one-minute CPU check (smoke).

    python -m avsbench.reproduce --profile {full,smoke} [--out DIR]

smoke: generates an MS3-layout dataset where a tone says which coloured shape sounds, trains the
       tiny smoke model with TPAVI (audio) and the same model without TPAVI (the no-audio
       baseline), and writes DIR/results.json (metric miou, ours, baseline), results.md, a loss
       plot, the predicted masks and side-by-side overlays.
full:  trains and tests the four Table 1 configurations (S4/MS3 x ResNet-50/PVT-v2-b5, TPAVI)
       on every local GPU; stops at once when the dataset or pretrained weights are missing.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import sys
from pathlib import Path

from shared.results import markdown_table, plot_metric

FULL_CONFIGS = ("s4_resnet50_tpavi", "s4_pvt_tpavi", "ms3_resnet50_tpavi", "ms3_pvt_tpavi")
PAPER = {  # Table 1 of the paper: mIoU, F-score
    "s4_resnet50_tpavi": (0.7279, 0.848), "s4_pvt_tpavi": (0.7874, 0.879),
    "ms3_resnet50_tpavi": (0.4788, 0.578), "ms3_pvt_tpavi": (0.5400, 0.645),
}


def smoke(out: Path) -> dict:
    from avsbench.train import run
    from avsbench.visualize import visualize
    from shared.config import load_config

    cfg = load_config(Path(__file__).with_name("configs") / "smoke.py")
    data_root = out / "data" / "Multi-sources"
    cfg = dataclasses.replace(cfg, data=dataclasses.replace(cfg.data, root=str(data_root)))
    # the baseline: the same model and training without TPAVI, so audio never reaches it (nor the AVM loss)
    no_audio = dataclasses.replace(cfg, model=dataclasses.replace(cfg.model, tpavi_stages=()),
                                   loss=dataclasses.replace(cfg.loss, avm="none", avm_weight=0.0))
    for name in ("with_audio", "no_audio", "overlays"):  # a fresh run each time; the generated data is kept
        shutil.rmtree(out / name, ignore_errors=True)
    ours = run(cfg, out / "with_audio", resume=False)
    base = run(no_audio, out / "no_audio", resume=False)
    overlays = visualize(out / "with_audio" / "pred_masks", data_root / "ms3_data" / "gt_masks" / "test",
                         data_root / "ms3_data" / "visual_frames", out / "overlays", max_clips=8, scale=4)
    results = {
        "metric": "miou", "ours": ours["miou"], "baseline": base["miou"],
        "baseline_name": "same model without TPAVI (no audio)",
        "f_score": ours["f_score"], "baseline_f_score": base["f_score"],
        "steps": ours["step"], "wall_time_s": round(ours["wall_time_s"] + base["wall_time_s"], 1),
        "overlays": str(out / "overlays"), "num_overlays": len(overlays),
    }
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    rows = [{"run": "with audio (TPAVI)", "miou": ours["miou"], "f_score": ours["f_score"]},
            {"run": "no audio (baseline)", "miou": base["miou"], "f_score": base["f_score"]}]
    (out / "results.md").write_text(markdown_table(rows) + "\n")
    plot_metric([out / "with_audio", out / "no_audio"], "train/loss", out / "loss.png")
    print(markdown_table(rows))
    return results


def missing_inputs() -> list[str]:
    from avsbench.configs.base import BACKBONE_WEIGHTS, ROOTS

    need = [Path(ROOTS["s4"]) / "s4_meta_data.csv", Path(ROOTS["ms3"]) / "ms3_meta_data.csv",
            Path("data/avsbench/pretrained/vggish-10086976.pth"), *map(Path, BACKBONE_WEIGHTS.values())]
    return [str(p) for p in need if not p.exists()]


def full(out: Path) -> None:
    from shared.launch import run as run_step
    from shared.launch import train_command

    missing = missing_inputs()
    if missing:
        print("missing: " + ", ".join(missing), file=sys.stderr)
        print("AVSBench-object is released on request; see `python -m avsbench.prepare --help`, then run\n"
              "  python -m avsbench.prepare check --root data/avsbench/Single-source --setting s4\n"
              "  python -m avsbench.prepare check --root data/avsbench/Multi-sources --setting ms3", file=sys.stderr)
        sys.exit(2)
    rows = []
    for name in FULL_CONFIGS:
        run_dir = out / name
        run_step(train_command("avsbench.train", ["--config", f"avsbench/configs/{name}.py", "--run-dir", str(run_dir)]))
        r = json.loads((run_dir / "results.json").read_text())
        rows.append({"experiment": name, "miou paper": PAPER[name][0], "miou ours": r["miou"],
                     "F paper": PAPER[name][1], "F ours": r["f_score"]})
    (out / "results.md").write_text(markdown_table(rows) + "\n")
    print(markdown_table(rows))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", choices=("full", "smoke"), default="full")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    out = args.out or Path("runs/avsbench") / args.profile
    out.mkdir(parents=True, exist_ok=True)
    if args.profile == "smoke":
        smoke(out)
    else:
        full(out)


if __name__ == "__main__":
    main()
