"""avvp_clip: HAN and the CLIP pseudo-label method on LLP, through `python -m avvp_clip.reproduce --profile P`.

smoke:  a generated LLP-layout dataset at the official feature sizes (under <out>/data/llp); the full method
        (pseudo labels + richness loss + denoising) and HAN trained from video labels only, same small model,
        CPU. results: `metric`, `ours`, `baseline` (test segment-level Type@AV) and both runs' ten scores.
dryrun: the four paper configs (HAN, vpl_segment, vpl_richness, vpl_full) at paper width through the same
        torchrun entry as full, on a generated LLP layout with a handful of videos per split, a few optimizer
        steps each; one row per experiment (parameters, step time, memory, recipe estimate).
full:   the four paper configs on LLP (data/llp, all local GPUs through torchrun), then the table of the
        ten test scores.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch

from avvp_clip.config import NUM_SEGMENTS, GeneratorConfig
from avvp_clip.synthetic import write_llp_dataset
from shared import dryrun as dry
from shared.launch import train_command
from shared.reproduce import Run, main

HERE = Path(__file__).resolve().parent
EXPERIMENTS = ("han", "vpl_segment", "vpl_richness", "vpl_full")
REPORTED = ("seg_audio", "seg_visual", "seg_av", "seg_type_av", "seg_event_av",
            "event_audio", "event_visual", "event_av", "event_type_av", "event_event_av")
BASELINE_OFF = ["loss.segment_pseudo=false", "loss.richness=false", "loss.visual_video_from_pseudo=false",
                "pseudo.denoise=false"]
LLP_FILES = ("AVVP_train.csv", "AVVP_val_pd.csv", "AVVP_test_pd.csv", "AVVP_eval_audio.csv", "AVVP_eval_visual.csv",
             "feats/vggish", "feats/res152", "feats/r2plus1d_18", "feats/clip")
PREPARE = ("python -m avvp_clip.prepare --root {root} --features-archive /path/to/feats.zip "
           "--videos /path/to/LLP_dataset/video --clip-checkpoint /path/to/ViT-B-32.pt")
LLP_TRAIN_VIDEOS = 10_000  # AVVP_train.csv
# MMIL_Net().state_dict() of AVVP-ECCV20, incl. the encoders its forward never calls (tests/avvp_clip/golden)
ORIGINAL_PARAMETERS = 9_307_723


def set_args(*pairs: str) -> list[str]:
    return [a for pair in pairs for a in ("--set", pair)]


def train(run: Run, experiment: str, config: Path, run_dir: Path, extra: list[str], processes: int | None = None
          ) -> dict:
    with run.step(f"train {experiment}"):
        run.sh(train_command("avvp_clip.train", ["--config", str(config), "--run-dir", str(run_dir), *extra],
                             processes=processes))
    return json.loads((run_dir / "results.json").read_text())


def scores_row(name: str, results: dict) -> dict:
    return {"experiment": name, **{k: results.get(f"test_{k}") for k in REPORTED}}


def smoke(run: Run) -> dict:
    data = run.out / "data" / "llp"
    common = set_args(f"data.root={data}") + ["--no-resume"]
    config = HERE / "configs" / "smoke.py"
    base = train(run, "HAN, video labels only", config, run.out / "han_video_labels",
                 [*common, *set_args(*BASELINE_OFF)], processes=1)
    ours = train(run, "HAN + CLIP pseudo labels (full)", config, run.out / "vpl_full", common, processes=1)
    return {
        "metric": "test segment-level Type@AV F1 (%), generated LLP-layout data",
        "ours": ours["test_seg_type_av"],
        "baseline": base["test_seg_type_av"],
        "baseline_name": "HAN trained from video labels only",
        **{f"ours_{k}": ours[f"test_{k}"] for k in REPORTED},
        **{f"baseline_{k}": base[f"test_{k}"] for k in REPORTED},
        "pseudo_label_seg_visual": ours.get("pseudo_seg_visual"),
        "ours_before_denoising": ours.get("before_denoising_test_seg_type_av"),
        "denoise_flipped": ours.get("denoise_flipped"),
        "annotation_rows_read_as_empty": ours.get("annotation_rows_read_as_empty"),
        "unverified_method_details": ours.get("unverified_method_details"),
        "rows": [scores_row("HAN, video labels only", base), scores_row("HAN + CLIP pseudo labels (full)", ours)],
    }


def full(run: Run) -> dict:
    data = run.dataset("llp")
    run.require([data / f for f in LLP_FILES], PREPARE.format(root=data))
    results = {name: train(run, name, HERE / "configs" / f"{name}.py", run.out / name, set_args(f"data.root={data}"))
               for name in EXPERIMENTS}
    return {
        "metric": "LLP test scores (%)",
        "unverified_method_details": results["vpl_full"].get("unverified_method_details"),
        "annotation_rows_read_as_empty": results["han"].get("annotation_rows_read_as_empty"),
        "rows": [scores_row(name, r) for name, r in results.items()],
    }


DRYRUN_DATA = GeneratorConfig(num_train=32, num_val=4, num_test=4)  # 2 updates of the recipe's batch 16 per epoch
DRYRUN_EPOCHS = 2


def dryrun(run: Run, experiments: tuple[str, ...] = EXPERIMENTS, overrides: tuple[str, ...] = ()) -> dict:
    """Paper configs at paper width on generated data in LLP's layout; `overrides` shrinks them in tests."""
    data = run.out / "data" / "llp"
    if not (data / "AVVP_train.csv").is_file():
        with run.step("generate LLP-layout data"):
            write_llp_dataset(data, DRYRUN_DATA)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    batch = 16  # the recipe's batch fits this machine
    rows, extra = [], {}
    for name in experiments:
        run_dir = run.out / name
        args = set_args(f"data.root={data}", f"epochs={DRYRUN_EPOCHS}", "train.log_every=1", "train.num_workers=0",
                        "train.progress=false", *overrides) + ["--no-resume"]
        results = train(run, name, HERE / "configs" / f"{name}.py", run_dir, args)
        stages = 2 if (run_dir / "before_denoising").is_dir() else 1
        times = dry.step_times_from_run(run_dir, batch)
        rows.append(dry.row(
            name, device, results["num_parameters"], times, batch=batch, recipe_batch=16,
            peak_memory=results["peak_memory_mb"],  # the training process's, not this one's
            recipe_steps=stages * 40 * (LLP_TRAIN_VIDEOS // 16),
            reference_parameters=ORIGINAL_PARAMETERS,
            reference_source="AVVP-ECCV20 MMIL_Net state dict, incl. 3 encoders its forward never calls",
            notes=f"{stages} training stage(s) of 40 epochs x {LLP_TRAIN_VIDEOS // 16} updates; "
                  f"features precomputed ({NUM_SEGMENTS} s per video)"))
        extra[f"{name}_test_seg_type_av"] = results["test_seg_type_av"]
    return {"rows": rows, **extra}




if __name__ == "__main__":
    main(__doc__, {"smoke": smoke, "dryrun": dryrun, "full": full})
