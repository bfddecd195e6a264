"""AVSBench (ECCV 2022): the paper's Table 1 (full), its path at paper shapes (dryrun), or a one-minute CPU check (smoke).

smoke:  generates an MS3-layout dataset where a tone says which coloured shape sounds, trains the tiny smoke
        model with TPAVI (audio) and the same model without TPAVI (the no-audio baseline); results: test mIoU
        of both, a loss plot, the predicted masks and side-by-side overlays.
dryrun: the full profile's path (avsbench.train under torchrun's launcher, the paper configs at 224 px and
        5 frames; on CPU the two ResNet-50 experiments, on a GPU all four, the released weight files' layouts through the real loaders, validation-based checkpoint
        selection, the test evaluation) on generated S4 and MS3 data (a handful of clips) and random weights
        in the released files' key sets, for 2 optimizer steps; one row per experiment (parameters, step
        time, peak memory, estimated recipe time).
full:   trains and tests the four Table 1 configurations (S4/MS3 x ResNet-50/PVT-v2-b5, TPAVI; MS3 with the
        AVM loss) with the original's global batch of 4 clips and BatchNorm over all its 20 frames on any
        number of GPUs; reports the test scores of the best-validation checkpoint (the original's rule) and
        of the last one. Stops at once, with the prepare command, when the dataset or weights are missing.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from shared.reproduce import Run, main

FULL_CONFIGS = ("s4_resnet50_tpavi", "s4_pvt_tpavi", "ms3_resnet50_tpavi", "ms3_pvt_tpavi")
CPU_CONFIGS = ("s4_resnet50_tpavi", "ms3_resnet50_tpavi")
PAPER = {  # Table 1 of the paper: mIoU, F-score
    "s4_resnet50_tpavi": (0.7279, 0.848), "s4_pvt_tpavi": (0.7874, 0.879),
    "ms3_resnet50_tpavi": (0.4788, 0.578), "ms3_pvt_tpavi": (0.5400, 0.645),
}
# sum(p.numel()) of the original Pred_endecoder with TPAVI at stages 0-3, less the ResNet branch it never uses
ORIGINAL_PARAMETERS = {"resnet50": 69_337_857, "pvt_v2_b5": 101_320_577}
CONFIGS = Path(__file__).with_name("configs")
PREPARE = ("AVSBench-object is released on request; see `python -m avsbench.prepare --help`, then\n"
           "  python -m avsbench.prepare check --root data/avsbench/Single-source --setting s4\n"
           "  python -m avsbench.prepare check --root data/avsbench/Multi-sources --setting ms3")


def smoke(run: Run) -> dict:
    from avsbench.configs.smoke import get_config
    from avsbench.train import run as train_run
    from avsbench.visualize import visualize
    from shared.results import plot_metric

    data_root = run.out / "data" / "Multi-sources"
    cfg = get_config(str(data_root))
    # the baseline: the same model and training without TPAVI, so audio never reaches it (nor the AVM loss)
    no_audio = dataclasses.replace(cfg, model=dataclasses.replace(cfg.model, tpavi_stages=()),
                                   loss=dataclasses.replace(cfg.loss, avm="none", avm_weight=0.0))
    with run.step("train smoke with audio (TPAVI)"):
        ours = train_run(cfg, run.out / "with_audio", resume=False)
    with run.step("train smoke without audio"):
        base = train_run(no_audio, run.out / "no_audio", resume=False)
    overlays = visualize(run.out / "with_audio" / "pred_masks", data_root / "ms3_data" / "gt_masks" / "test",
                         data_root / "ms3_data" / "visual_frames", run.out / "overlays", max_clips=8, scale=4)
    plot_metric([run.out / "with_audio", run.out / "no_audio"], "train/loss", run.out / "loss.png")
    return {
        "metric": "miou", "ours": ours["miou"], "baseline": base["miou"],
        "baseline_name": "same model without TPAVI (no audio)",
        "f_score": ours["f_score"], "baseline_f_score": base["f_score"], "steps": ours["step"],
        "overlays": str(run.out / "overlays"), "num_overlays": len(overlays),
        "rows": [{"run": "with audio (TPAVI)", "miou": ours["miou"], "f_score": ours["f_score"]},
                 {"run": "no audio (baseline)", "miou": base["miou"], "f_score": base["f_score"]}],
    }


def _train(run: Run, name: str, out: Path, overrides: list[str]) -> dict:
    """One experiment through the full profile's launcher: torchrun on as many GPUs as keep batch 4 whole."""
    from avsbench.configs._common import BATCH
    from shared.launch import local_gpus, train_command
    from shared.parallel import processes_for_batch

    args = ["--config", str(CONFIGS / f"{name}.py"), "--run-dir", str(out / name)]
    for item in overrides:
        args += ["--set", item]
    with run.step(f"train {name}"):
        run.sh(train_command("avsbench.train", args, processes=processes_for_batch(BATCH, local_gpus())))
    return json.loads((out / name / "results.json").read_text())


def full(run: Run) -> dict:
    from avsbench.config import BACKBONE_WEIGHTS, VGGISH_WEIGHTS, setting_root

    need = [Path(setting_root("s4")) / "s4_meta_data.csv", Path(setting_root("ms3")) / "ms3_meta_data.csv"]
    run.require(need, PREPARE)
    weights = [run.weights(*VGGISH_WEIGHTS), *(run.weights(*w) for w in BACKBONE_WEIGHTS.values())]
    run.require(weights, "put the original's pretrained_backbones/ files there (see `python -m avsbench.prepare --help`)")
    rows = []
    for name in FULL_CONFIGS:
        r = _train(run, name, run.out, [])
        rows.append({"experiment": name, "miou paper": PAPER[name][0], "miou ours (best val)": r["miou"],
                     "F paper": PAPER[name][1], "F ours (best val)": r["f_score"],
                     "miou last": r["last_test_miou"], "F last": r["last_test_f_score"]})
    return {"metric": "miou", "rows": rows}


def dryrun(run: Run, names: tuple[str, ...] | None = None, steps: int = 2, clips: int = 1,
           extra: tuple[str, ...] = ()) -> dict:
    """The full profile's path on generated data and random weights in the released layouts; `extra`: more
    --set overrides (the tests shrink the model with them)."""
    import torch

    from avsbench.configs._common import BATCH, EPOCHS, TRAIN_CLIPS
    from avsbench.synthetic import write_dataset, write_released_weights
    from shared.config import load_config
    from shared.dryrun import row, step_times_from_run

    device = "cuda" if torch.cuda.is_available() else "cpu"
    batch = BATCH if device == "cuda" else 1  # CPU: one clip (5 frames at 224 px) a step; shapes unchanged
    # PVT-v2-b5 at 224 px took 138-173 s a step of one clip on the loaded 2-core CPU (README): on CPU the dryrun runs the
    # ResNet-50 experiments, the paper's smaller official backbone; a GPU runs all four
    names = names or (FULL_CONFIGS if device == "cuda" else CPU_CONFIGS)
    with run.step("generate S4 and MS3 data at 224 px and the released weight files"):
        roots = {s: write_dataset(run.out / "data" / "avsbench", s, clips) for s in ("s4", "ms3")}
        files = write_released_weights(run.out / "weights")
    rows = []
    for name in names:
        cfg = load_config(CONFIGS / f"{name}.py")
        setting, backbone = cfg.data.setting, cfg.model.backbone
        # evaluation only at the end (which also runs the checkpoint selection): logged step times exclude it
        overrides = [f"data.data_root={roots[setting]}", f"audio.vggish_weights={files['vggish']}",
                     f"backbone_weights={files[backbone]}", f"train.max_steps={steps}", f"train.batch_size={batch}",
                     "train.log_every=1", "train.eval_every=0", f"train.ckpt_every={steps}",
                     "train.num_workers=0", "train.progress=false"] + list(extra)
        r = _train(run, name, run.out, overrides)
        times = step_times_from_run(run.out / name, batch)
        out = row(name, device, r["num_parameters"], times, batch, BATCH,
                  TRAIN_CLIPS[setting] // BATCH * EPOCHS[setting], reference_parameters=ORIGINAL_PARAMETERS[cfg.model.backbone],
                  reference_source="original Pred_endecoder, unused ResNet branch excluded",
                  units_per_sample=5, unit="frames", notes="excludes the per-epoch validation and test passes")
        out["peak_memory_mb"] = r.get("peak_memory_mb", out["peak_memory_mb"])  # the training process's own
        out["best_step"] = r.get("best_step")
        rows.append(out)
    return {"rows": rows}


if __name__ == "__main__":
    main(__doc__, {"smoke": smoke, "dryrun": dryrun, "full": full})
