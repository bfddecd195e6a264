"""`make avvp_clip`: the paper's experiments end to end; `--profile smoke` on generated data, on CPU.

    python -m avvp_clip.reproduce --profile {full,smoke} [--out DIR] [--data-root data]

smoke: writes a generated LLP-layout dataset, trains the full method (CLIP pseudo labels + richness loss +
denoising) and the video-label-only HAN baseline with the same settings, and writes DIR/results.json
(`metric`, `ours`, `baseline`: test segment-level Type@AV, plus both runs' ten scores), results.md, results.png.
full: every config of the paper's ablation on LLP (all local GPUs through torchrun), then the same table.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from shared.launch import run as run_step
from shared.launch import train_command
from shared.results import markdown_table, plot_metric
from shared.runlog import merge_results

HERE = Path(__file__).resolve().parent
FULL_EXPERIMENTS = ("han", "vpl_segment", "vpl_richness", "vpl_full")
REPORTED = ("seg_audio", "seg_visual", "seg_av", "seg_type_av", "seg_event_av",
            "event_audio", "event_visual", "event_av", "event_type_av", "event_event_av")
BASELINE_OFF = ["loss.segment_pseudo=false", "loss.richness=false", "loss.visual_video_from_pseudo=false",
                "pseudo.denoise=false"]


def missing_data(root: Path) -> list[str]:
    needed = ["AVVP_train.csv", "AVVP_val_pd.csv", "AVVP_test_pd.csv", "AVVP_eval_audio.csv", "AVVP_eval_visual.csv",
              "feats/vggish", "feats/res152", "feats/r2plus1d_18", "feats/clip"]
    return [n for n in needed if not (root / n).exists()]


def table(out: Path, runs: dict[str, Path]) -> str:
    rows = []
    for name, run_dir in runs.items():
        results = json.loads((run_dir / "results.json").read_text())
        rows.append({"experiment": name, **{k: results.get(f"test_{k}") for k in REPORTED}})
    text = markdown_table(rows, ["experiment", *REPORTED])
    (out / "results.md").write_text(text + "\n")
    plot_metric(list(runs.values()), "eval/val_seg_type_av", out / "results.png")
    return text


def smoke(out: Path) -> None:
    data_root = out / "data"
    common = ["--config", str(HERE / "configs" / "smoke.py"), "--no-resume", "--set", f"data.root={data_root / 'data'}"]
    runs = {"HAN, video labels only": out / "han_video_labels", "HAN + CLIP pseudo labels (full)": out / "vpl_full"}
    for run_dir in runs.values():
        shutil.rmtree(run_dir, ignore_errors=True)  # a fresh run each time
    baseline_args = [a for flag in BASELINE_OFF for a in ("--set", flag)]
    run_step(train_command("avvp_clip.train", [*common, *baseline_args, "--run-dir", str(runs["HAN, video labels only"])],
                           processes=1))
    run_step(train_command("avvp_clip.train", [*common, "--run-dir", str(runs["HAN + CLIP pseudo labels (full)"])],
                           processes=1))
    ours = json.loads((runs["HAN + CLIP pseudo labels (full)"] / "results.json").read_text())
    base = json.loads((runs["HAN, video labels only"] / "results.json").read_text())
    (out / "results.json").unlink(missing_ok=True)
    merge_results(out, {
        "metric": "test segment-level Type@AV F1 (%), generated LLP-layout data",
        "ours": ours["test_seg_type_av"],
        "baseline": base["test_seg_type_av"],
        "baseline_name": "HAN trained from video labels only",
        **{f"ours_{k}": ours[f"test_{k}"] for k in REPORTED},
        **{f"baseline_{k}": base[f"test_{k}"] for k in REPORTED},
        "pseudo_label_seg_visual": ours.get("pseudo_seg_visual"),
        "ours_before_denoising": ours.get("before_denoising_test_seg_type_av"),
        "denoise_flipped": ours.get("denoise_flipped"),
    })
    print(table(out, runs))


def full(out: Path, data_root: Path) -> None:
    missing = missing_data(data_root)
    if missing:
        sys.exit(f"LLP data missing under {data_root} ({', '.join(missing)}). Prepare it with:\n"
                 f"  python -m avvp_clip.prepare --root {data_root} --features-archive /path/to/feats.zip "
                 f"--videos /path/to/LLP_dataset/video --clip-checkpoint /path/to/ViT-B-32.pt")
    runs = {}
    for name in FULL_EXPERIMENTS:
        runs[name] = out / name
        run_step(train_command("avvp_clip.train", ["--config", str(HERE / "configs" / f"{name}.py"),
                                                   "--set", f"data.root={data_root}", "--run-dir", str(runs[name])]))
    print(table(out, runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", choices=("full", "smoke"), default="full")
    parser.add_argument("--out", type=Path, default=None, help="default: runs/avvp_clip/<profile>")
    parser.add_argument("--data-root", type=Path, default=Path("data"), help="the LLP folder (full profile)")
    args = parser.parse_args()
    out = args.out or Path("runs") / "avvp_clip" / args.profile
    out.mkdir(parents=True, exist_ok=True)
    smoke(out) if args.profile == "smoke" else full(out, args.data_root)


if __name__ == "__main__":
    main()
