"""FNAC (CVPR 2023): Flickr-SoundNet and VGG-SS localisation (full), their path at paper shapes (dryrun), or a
one-minute CPU check (smoke).

smoke:  generates the colour/tone dataset, trains the small model on CPU, scores the trained and the untrained
        model on the generated test set; results: cIoU of both (the trained must beat the untrained by 0.1),
        a loss plot and heatmap overlays.
dryrun: the full profile's path (fnac_avl.train under torchrun's launcher, the paper configs at 224 px and 3 s
        of 16 kHz audio, torchvision's ResNet-18 file layout through the real loader, every FNAC term, test
        evaluation after each epoch with best-cIoU selection on the Flickr test set) on a few generated clips
        in the Flickr-SoundNet and VGG-SS layouts and random ImageNet weights, for 2 optimizer steps; one row
        per experiment.
full:   the paper's Flickr-SoundNet 10k and VGG-Sound 10k experiments with the original's global batch of 256
        (every clip's negatives from the whole batch, BatchNorm over the whole batch) on any number of GPUs;
        reports the scores of the checkpoint with the best Flickr-SoundNet test cIoU (the released scripts'
        rule, which selects on a test set: Flickr's, also for the VGG-Sound run) and the last epoch's. Stops
        at once with the prepare command when the data is missing.
"""

from __future__ import annotations

import json
from pathlib import Path

from shared.reproduce import Run, main

FULL_CONFIGS = ("flickr_10k", "vggss_10k")
MARGIN = 0.1  # the trained model must beat the untrained one by this much (cIoU, absolute)
ORIGINAL_PARAMETERS = 22_872_064  # two torchvision ResNet-18 trunks (1-channel audio stem) + two projections
RECIPE_STEPS = {"flickr_10k": 10_000 // 256 * 30, "vggss_10k": 10_000 // 256 * 30}  # 10k-clip lists, 30 epochs
CONFIGS = Path(__file__).with_name("configs")
PREPARE = ("python -m fnac_avl.prepare --original-repo PATH_TO_FNAC_AVL_CLONE --flickr-source DIR "
           "--vggsound-source DIR --vggss-test-source DIR --imagenet-weights resnet18-f37072fd.pth")


def check_margin(results: dict) -> None:
    """Stop with an error when the smoke run did not clearly learn to localise."""
    gain = results["ours"] - results["baseline"]
    if gain < MARGIN or results["mean_cIoU"] <= results["untrained_mean_cIoU"]:
        raise SystemExit(f"error: the smoke run did not learn: cIoU {results['ours']:.3f} trained vs "
                         f"{results['baseline']:.3f} untrained (needs +{MARGIN}); mean cIoU "
                         f"{results['mean_cIoU']:.3f} vs {results['untrained_mean_cIoU']:.3f}")


def smoke(run: Run) -> dict:
    from fnac_avl.configs.smoke import get_config
    from fnac_avl.evaluate import predict, save_overlays
    from fnac_avl.train import run as train_run
    from shared.results import plot_metric

    cfg = get_config(str(run.out / "data" / "smoke"))
    with run.step("train smoke"):
        result = train_run(cfg, run.out / "train", resume=False)
    model, tests = result["_model"], result["_tests"]
    test = next(iter(tests.values()))
    heat, gts = predict(model, test, cfg.data.eval_batch_size, cfg.data.interpolation)
    save_overlays(test, heat, gts, run.out / "overlays", count=8)
    plot_metric([run.out / "train"], "train/loss", run.out / "loss.png")
    results = {k: v for k, v in result.items() if not k.startswith("_")}
    check_margin(results)
    return {**results, "baseline_name": "the same model untrained",
            "rows": [{"model": "untrained", "cIoU": results["untrained_cIoU"], "AUC": results["untrained_AUC"],
                      "mean cIoU": results["untrained_mean_cIoU"]},
                     {"model": "trained", "cIoU": results["cIoU"], "AUC": results["AUC"],
                      "mean cIoU": results["mean_cIoU"]}]}


def _train(run: Run, name: str, overrides: list[str]) -> dict:
    """One experiment through the full profile's launcher: torchrun on as many GPUs as keep batch 256 whole."""
    from fnac_avl.config import default_train
    from shared.launch import local_gpus, train_command
    from shared.parallel import processes_for_batch

    args = ["--config", str(CONFIGS / f"{name}.py"), "--run-dir", str(run.out / name)]
    for item in overrides:
        args += ["--set", item]
    processes = processes_for_batch(default_train().batch_size, local_gpus())
    with run.step(f"train {name}"):
        run.sh(train_command("fnac_avl.train", args, processes=processes))
    return json.loads((run.out / name / "results.json").read_text())


def full(run: Run) -> dict:
    from shared.config import load_config

    for name in FULL_CONFIGS:
        cfg = load_config(CONFIGS / f"{name}.py")
        selection = (cfg.data.select_test_root, cfg.data.select_test_csv, cfg.data.select_test_annotations)
        run.require([Path(p) for p in (cfg.data.train_root, cfg.data.subset_list, cfg.data.test_root,
                                       cfg.data.test_csv, cfg.data.test_annotations, cfg.model.image_weights,
                                       *(selection if cfg.data.select_testset else ()))],
                    PREPARE)
    rows = []
    for name in FULL_CONFIGS:
        r = _train(run, name, [])
        rows.append({"experiment": name, "cIoU (selected epoch)": r.get("cIoU"), "AUC (selected epoch)": r.get("AUC"),
                     "cIoU last": r.get("last_cIoU"), "AUC last": r.get("last_AUC"), "untrained cIoU": r.get("baseline")})
    return {"metric": "cIoU", "rows": rows}


def dryrun(run: Run, names: tuple[str, ...] = FULL_CONFIGS, steps: int = 2, clips: int = 4,
           extra: tuple[str, ...] = ()) -> dict:
    """The full profile's path on generated data and a random ResNet-18 in torchvision's file layout; `extra`:
    more --set overrides (the tests shrink the model with them)."""
    import torch

    from fnac_avl.config import IMAGENET_RESNET18, default_train
    from fnac_avl.synthetic import write_imagenet_resnet18, write_paper_shaped
    from shared.dryrun import row, step_times_from_run

    device = "cuda" if torch.cuda.is_available() else "cpu"
    recipe_batch = default_train().batch_size
    batch = min(recipe_batch, clips) if device == "cpu" else clips  # CPU: a few clips a step; shapes unchanged
    with run.step("generate 224 px / 16 kHz clips and the ResNet-18 weight file"):
        data = write_paper_shaped(run.out / "data", clips)
        weights = write_imagenet_resnet18(run.out / "weights" / Path(*IMAGENET_RESNET18))
    rows = []
    for name in names:
        test = "vggss" if name.startswith("vggss") else "flickr"
        # evaluation only at the end (which also runs the checkpoint selection): logged step times exclude it
        overrides = [f"data.train_root={data['train_root']}", f"data.subset_list={data['subset_list']}",
                     f"data.test_root={data[test + '_test_root']}", f"data.test_csv={data[test + '_test_csv']}",
                     f"data.test_annotations={data[test + '_annotations']}", f"model.image_weights={weights}",
                     # where the config selects on Flickr's test set (a VGG-SS run), its generated copy
                     f"data.select_test_root={data['flickr_test_root']}", f"data.select_test_csv={data['flickr_test_csv']}",
                     f"data.select_test_annotations={data['flickr_annotations']}",
                     "epochs=0", f"train.max_steps={steps}", f"train.batch_size={batch}", "train.log_every=1",
                     "train.eval_every=0", f"train.ckpt_every={steps}", "train.progress=false",
                     "loss.warmup_epochs=0", "data.image_ext=.jpg"] + list(extra)
        r = _train(run, name, overrides)
        times = step_times_from_run(run.out / name, batch)
        out = row(name, device, r["num_parameters"], times, batch, recipe_batch, RECIPE_STEPS[name],
                  reference_parameters=ORIGINAL_PARAMETERS, reference_source="original FNAC (two ResNet-18s)",
                  notes="excludes the per-epoch test evaluation")
        out["peak_memory_mb"] = r.get("peak_memory_mb", out["peak_memory_mb"])  # the training process's own
        out["best_step"] = r.get("best_step")
        rows.append(out)
    return {"rows": rows}


if __name__ == "__main__":
    main(__doc__, {"smoke": smoke, "dryrun": dryrun, "full": full})
