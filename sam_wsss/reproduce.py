"""SAM pseudo labels -> their mIoU -> DeepLab-v2 trained on them -> val mIoU.

    python -m sam_wsss.reproduce --profile full [--config sam_wsss/configs/coco.py] [--set train.max_steps=...]
    python -m sam_wsss.reproduce --profile smoke
    python -m sam_wsss.reproduce --profile dryrun

full: PASCAL VOC 2012 by default (`--config` picks COCO); needs the dataset under data/voc2012 (or coco2014) and
the weights under weights/ (it stops at once, printing the prepare command, if any is missing); generation and
training run through torchrun on every local GPU. Pseudo-label scores use the original's mIoU rule, the
network's the mmseg rule; each result names its rule.
smoke: generated data, tiny models, CPU, about a minute; see configs/smoke.py and the README.
dryrun: the full path (same commands, configs at paper size, the released checkpoints' formats) on a generated
VOC tree of a few 500x375 images with random weights, a few training steps; see sam_wsss/dryrun.py.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from PIL import Image

from shared.reproduce import Run, main

HERE = Path(__file__).resolve().parent


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, default=HERE / "configs" / "voc.py", help="full profile's experiment")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="override a config value of the full profile (repeatable)")


def _photos(voc: Path) -> list[str]:
    """Two real photos with their image-level labels, and one truncated JPEG (its failure must be logged)."""
    import skimage.data

    labels = np.load(voc / "cls_labels.npy", allow_pickle=True).item()
    photos = {"photo_astronaut": (skimage.data.astronaut(), 15), "photo_chelsea": (skimage.data.chelsea(), 8)}
    for image_id, (image, label) in photos.items():
        Image.fromarray(image).save(voc / "JPEGImages" / f"{image_id}.jpg", quality=90)
        hot = np.zeros(20, dtype=np.float32)
        hot[label - 1] = 1
        labels[image_id] = hot
    broken = (voc / "JPEGImages" / "photo_chelsea.jpg").read_bytes()[:2000]
    (voc / "JPEGImages" / "photo_broken.jpg").write_bytes(broken)
    labels["photo_broken"] = labels["photo_chelsea"]
    np.save(voc / "cls_labels.npy", labels, allow_pickle=True)
    ids = [*photos, "photo_broken"]
    (voc / "ImageSets" / "Segmentation" / "photos.txt").write_text("".join(i + "\n" for i in ids))
    return ids


def smoke(run: Run) -> dict:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # tiny models only: nothing to fetch
    import torch

    from sam_wsss.classes import VOC_CLASSES
    from sam_wsss.configs._common import smoke_experiment
    from sam_wsss.data import voc_dataset
    from sam_wsss.evaluate import class_table, evaluate_dirs
    from sam_wsss.generate import build_dataset, build_labeler, generate
    from sam_wsss.label_map import read_label_png
    from sam_wsss.metrics import mean_iou
    from sam_wsss.synthetic import write_tiny_voc
    from sam_wsss.train import train_and_evaluate
    from shared.config import save_config

    out = run.out
    with run.step("generate the VOC tree"):
        voc = write_tiny_voc(out / "data", n_train=16, n_val=4, size=64, seed=0)
        photo_ids = _photos(voc)
    cfg = smoke_experiment(str(voc))
    cfg = replace(cfg, pseudo=replace(cfg.pseudo, out_dir=str(out / "pseudo_labels")),
                  train=replace(cfg.train, work_dir=str(out / "deeplabv2")))
    save_config(cfg, out / "config.json")
    torch.manual_seed(0)

    # 1. pseudo labels with the real pipeline (tiny random Grounding DINO and SAM), twice: the second run resumes
    with run.step("pseudo labels (tiny random Grounding DINO + SAM)"):
        labeler = build_labeler(cfg.pseudo, torch.device("cpu"))
        train_set = build_dataset(cfg.pseudo)
        photo_set = voc_dataset(voc, "photos", str(voc / "cls_labels.npy"))  # photos have labels, no XML
        first = generate(train_set, labeler, cfg.pseudo.out_dir, cfg.pseudo.overlays, progress=False)
        photos = generate(photo_set, labeler, cfg.pseudo.out_dir, len(photo_ids), progress=False)
        again = generate(train_set, labeler, cfg.pseudo.out_dir, 0, progress=False)
        with Image.open(Path(cfg.pseudo.out_dir) / f"{train_set.ids[0]}.png") as png:
            png_mode = png.mode

    # 2. their quality against the known masks, beside the all-background baseline (the original's rule)
    pseudo = evaluate_dirs(cfg.pseudo.out_dir, train_set.gt_path, train_set.ids, 21)
    background = mean_iou(((g, np.zeros_like(g)) for g in map(train_set.gt, train_set.ids)), 21)
    known = mean_iou(((g, np.where(g == 255, 0, g)) for g in map(train_set.gt, train_set.ids)), 21)

    # 3. DeepLab-v2 (tiny) via mmsegmentation; random models give labels with no signal, so it learns from the
    #    known masks standing in for trained-SAM pseudo labels
    val_ids = (voc / "ImageSets" / "Segmentation" / "val.txt").read_text().split()
    with run.step("train DeepLab-v2 (tiny) on the known masks"):
        trained = train_and_evaluate(cfg, voc / "SegmentationClassAug")
    val_background = mean_iou(((g, np.zeros_like(g)) for g in
                               (read_label_png(voc / "SegmentationClass" / f"{i}.png") for i in val_ids)), 21,
                              rule="mmseg")
    result = {
        "metric": "val mIoU (mmseg rule), tiny DeepLab-v2 after 60 CPU steps",
        "ours": trained["miou"],
        "baseline": val_background["miou"],
        "baseline_name": "all-background prediction",
        "miou_rule": trained["miou_rule"],
        "pseudo_label_miou": pseudo["miou"],
        "pseudo_label_miou_rule": pseudo["miou_rule"],
        "pseudo_label_baseline_miou": background["miou"],
        "pseudo_label_note": "tiny randomly initialised Grounding DINO and SAM: no signal expected",
        "metric_check_known_masks_miou": known["miou"],
        "images_written": len(first.written) + len(photos.written),
        "images_failed": photos.failed + first.failed,
        "resumed_skipped": len(again.skipped),
        "png_mode": png_mode,
        "rows": [{"experiment": "smoke: DeepLab-v2 (tiny) val", "metric": "mIoU (mmseg rule)",
                  "ours": trained["miou"], "baseline": val_background["miou"]},
                 {"experiment": "smoke: pseudo labels (random tiny models) train", "metric": "mIoU (original rule)",
                  "ours": pseudo["miou"], "baseline": background["miou"]}],
    }
    (out / "class_iou.md").write_text("DeepLab-v2 (tiny) on val, per class:\n\n" + class_table(trained, VOC_CLASSES)
                                      + "\n")
    return result


def required_inputs(cfg) -> list[Path]:
    p = cfg.pseudo
    root = Path(p.data.data_root)
    if p.data.dataset == "coco":
        needed = [root / "train2014", root / "val2014", Path(p.data.split), Path(p.data.instances_json),
                  root / p.data.gt_folder]
    else:
        needed = [root / "JPEGImages", root / p.data.gt_folder,
                  Path(p.data.cls_labels) if p.data.cls_labels else root / "Annotations"]
    needed += [Path(p.detector.weights), Path(p.detector.tokenizer) / "vocab.txt", Path(p.segmenter.weights)]
    if cfg.train.pretrained:
        needed.append(Path(cfg.train.pretrained))
    return needed


def pipeline(run: Run, config: Path, overrides: list[str]) -> dict:
    """generate -> evaluate -> train, each the command a user would run; results from their JSON files."""
    from sam_wsss.classes import vocabulary
    from sam_wsss.evaluate import class_table
    from shared.config import apply_overrides, load_config
    from shared.launch import local_gpus, train_command

    overrides = [f"pseudo.out_dir={run.out / 'pseudo_labels'}", f"train.work_dir={run.out / 'deeplabv2'}",
                 *overrides]
    cfg = apply_overrides(load_config(config), overrides)
    run.require(required_inputs(cfg), f"python -m sam_wsss.prepare --dataset {cfg.pseudo.data.dataset}")
    config_args = ["--config", str(config), *[a for s in overrides for a in ("--set", s)]]
    processes, per_process = split_batch(cfg.train.batch_size, local_gpus())
    train_args = [*config_args, "--set", f"train.batch_size={per_process}"]
    scores = run.out / "pseudo_label_scores.json"
    seconds = {}
    for name, title, cmd in (
            ("generate", "generate pseudo labels", train_command("sam_wsss.generate", config_args)),
            ("evaluate", "score pseudo labels",
             [sys.executable, "-m", "sam_wsss.evaluate", *config_args, "--out", str(scores)]),
            ("train", "train DeepLab-v2", train_command("sam_wsss.train", train_args, processes=processes))):
        start = time.perf_counter()
        with run.step(title):
            run.sh(cmd)
        seconds[name] = round(time.perf_counter() - start, 1)
    pseudo = json.loads(scores.read_text())
    trained = json.loads((Path(cfg.train.work_dir) / "results.json").read_text())
    names = vocabulary(cfg.pseudo.prompt.vocabulary).names
    (run.out / "class_iou.md").write_text(f"# {cfg.name}\n\nPseudo labels ({cfg.pseudo.data.eval_split}):\n\n"
                                          + class_table(pseudo, names) + "\n\nDeepLab-v2, val:\n\n"
                                          + class_table(trained, names) + "\n")
    return {"experiment": cfg.name, "metric": f"val mIoU ({trained['miou_rule']} rule), DeepLab-v2 on SAM pseudo labels",
            "ours": trained["miou"], "miou_rule": trained["miou_rule"], "evaluation": trained.get("evaluation"),
            "pseudo_label_miou": pseudo["miou"], "pseudo_label_miou_rule": pseudo["miou_rule"],
            "pseudo_label_images_missing": pseudo["missing"], "seconds": seconds}


def split_batch(global_batch: int, gpus: int) -> tuple[int, int]:
    """(processes, per-process batch) for mmseg, whose batch size is per process: the recipe's global batch is
    kept on any machine by using the most GPUs it splits over evenly (10 on 8 GPUs: 5 processes of 2)."""
    from shared.parallel import processes_for_batch

    processes = processes_for_batch(global_batch, gpus)
    return processes, global_batch // processes


def full(run: Run) -> dict:
    return pipeline(run, run.args.config, run.args.overrides)


def dryrun(run: Run) -> dict:
    from sam_wsss.dryrun import dryrun as run_dryrun

    return run_dryrun(run)


if __name__ == "__main__":
    main(__doc__, {"smoke": smoke, "dryrun": dryrun, "full": full}, add_arguments=add_arguments)
