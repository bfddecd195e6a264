"""The paper's experiment end to end: pseudo labels -> their mIoU -> DeepLab-v2 on them -> val mIoU.

    python -m sam_wsss.reproduce --profile full [--config sam_wsss/configs/voc.py] [--out runs/sam_wsss/voc]
    python -m sam_wsss.reproduce --profile smoke [--out runs/sam_wsss/smoke]

full: needs the dataset and the three weight files (it stops at once, printing the prepare command, if any is
missing); generation and training run through torchrun on every local GPU. smoke: generated data, tiny models,
CPU, about a minute; see configs/smoke.py and the README for what it does and does not show.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

from sam_wsss.classes import VOC_CLASSES
from shared.config import apply_overrides, load_config, save_config
from shared.results import markdown_table

HERE = Path(__file__).resolve().parent


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


def smoke(out: Path) -> dict:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # tiny models only: nothing to fetch
    import torch

    from sam_wsss.data import voc_dataset
    from sam_wsss.evaluate import class_table, evaluate_dirs
    from sam_wsss.generate import build_dataset, build_labeler, generate
    from sam_wsss.label_map import read_label_png
    from sam_wsss.metrics import mean_iou
    from sam_wsss.synthetic import write_tiny_voc
    from sam_wsss.train import train_and_evaluate

    start = time.time()
    if out.exists():
        shutil.rmtree(out)  # a fresh run each time
    voc = write_tiny_voc(out / "data", n_train=16, n_val=4, size=64, seed=0)
    photo_ids = _photos(voc)
    cfg = load_config(HERE / "configs" / "smoke.py")
    cfg.pseudo.data.root = cfg.train.data_root = str(voc)
    cfg.pseudo.data.cls_labels = str(voc / "cls_labels.npy")  # the photos have labels but no masks
    cfg.pseudo.out_dir = str(out / "pseudo_labels")
    cfg.train.work_dir = str(out / "deeplabv2")
    out.mkdir(parents=True, exist_ok=True)
    save_config(cfg, out / "config.json")
    torch.manual_seed(0)

    # 1. pseudo labels with the real pipeline (tiny random Grounding DINO and SAM), twice: the second run resumes
    labeler = build_labeler(cfg.pseudo, torch.device("cpu"))
    train_set = build_dataset(cfg.pseudo)
    photo_set = voc_dataset(voc, "photos", cfg.pseudo.data.cls_labels)
    first = generate(train_set, labeler, cfg.pseudo.out_dir, cfg.pseudo.overlays, progress=False)
    photos = generate(photo_set, labeler, cfg.pseudo.out_dir, len(photo_ids), progress=False)
    again = generate(train_set, labeler, cfg.pseudo.out_dir, 0, progress=False)
    with Image.open(Path(cfg.pseudo.out_dir) / f"{train_set.ids[0]}.png") as png:
        png_mode = png.mode

    # 2. their quality against the known masks, beside the all-background baseline
    pseudo = evaluate_dirs(cfg.pseudo.out_dir, train_set.gt_path, train_set.ids, 21)
    background = mean_iou(((g, np.zeros_like(g)) for g in map(train_set.gt, train_set.ids)), 21)
    known = mean_iou(((g, np.where(g == 255, 0, g)) for g in map(train_set.gt, train_set.ids)), 21)

    # 3. DeepLab-v2 (tiny) via mmsegmentation; random models give labels with no signal, so it learns from the
    #    known masks standing in for trained-SAM pseudo labels
    val_ids = (voc / "ImageSets" / "Segmentation" / "val.txt").read_text().split()
    trained = train_and_evaluate(cfg, voc / "SegmentationClassAug")
    val_background = mean_iou(((g, np.zeros_like(g)) for g in
                               (read_label_png(voc / "SegmentationClass" / f"{i}.png") for i in val_ids)), 21)
    result = {
        "metric": "val mIoU, tiny DeepLab-v2 after 60 CPU steps",
        "ours": trained["miou"],
        "baseline": val_background["miou"],
        "baseline_name": "all-background prediction",
        "pseudo_label_miou": pseudo["miou"],
        "pseudo_label_baseline_miou": background["miou"],
        "pseudo_label_note": "tiny randomly initialised Grounding DINO and SAM: no signal expected",
        "metric_check_known_masks_miou": known["miou"],
        "images_written": len(first.written) + len(photos.written),
        "images_failed": photos.failed + first.failed,
        "resumed_skipped": len(again.skipped),
        "png_mode": png_mode,
        "seconds": round(time.time() - start, 1),
    }
    (out / "results.json").write_text(json.dumps(result, indent=1))
    rows = [{"experiment": "smoke: DeepLab-v2 (tiny) val", "metric": "mIoU", "ours": result["ours"],
             "baseline": result["baseline"]},
            {"experiment": "smoke: pseudo labels (random tiny models) train", "metric": "mIoU",
             "ours": result["pseudo_label_miou"], "baseline": result["pseudo_label_baseline_miou"]}]
    table = markdown_table(rows, ["experiment", "metric", "ours", "baseline"])
    (out / "results.md").write_text(table + "\n\nDeepLab-v2 (tiny) on val, per class:\n\n"
                                    + class_table(trained, VOC_CLASSES) + "\n")
    print(table)
    return result


def missing_inputs(cfg) -> list[str]:
    p = cfg.pseudo
    needed = [Path(p.data.root), Path(p.detector.weights), Path(p.detector.tokenizer), Path(p.segmenter.weights)]
    if p.data.dataset == "coco":
        needed += [Path(p.data.split), Path(p.data.instances_json)]
    else:
        needed += [Path(p.data.root) / "JPEGImages", Path(p.data.root) / p.data.gt_folder]
    return [str(path) for path in needed if not path.exists()]


def full(config: Path, out: Path, overrides: list[str]) -> dict:
    from shared.launch import local_gpus, run, train_command

    cfg = apply_overrides(load_config(config), overrides)
    missing = missing_inputs(cfg)
    if missing:
        print("missing: " + ", ".join(missing), file=sys.stderr)
        print(f"prepare them with:\n  python -m sam_wsss.prepare --dataset {cfg.pseudo.data.dataset} --root data "
              f"--weights weights", file=sys.stderr)
        sys.exit(2)
    gpus = max(1, local_gpus())
    config_args = ["--config", str(config), *[a for s in overrides for a in ("--set", s)]]
    # 10 images per step over all GPUs, as the single-GPU schedule
    train_args = [*config_args, "--set", f"train.batch_size={max(1, cfg.train.batch_size // gpus)}"]
    run(train_command("sam_wsss.generate", config_args))
    out.mkdir(parents=True, exist_ok=True)
    run([sys.executable, "-m", "sam_wsss.evaluate", *config_args, "--out", str(out / "pseudo_label_scores.json")])
    run(train_command("sam_wsss.train", train_args))
    pseudo = json.loads((out / "pseudo_label_scores.json").read_text())
    trained = json.loads((Path(cfg.train.work_dir) / "results.json").read_text())
    result = {"metric": "val mIoU (DeepLab-v2 on SAM pseudo labels)", "ours": trained["miou"],
              "pseudo_label_miou": pseudo["miou"], "experiment": cfg.name}
    (out / "results.json").write_text(json.dumps(result, indent=1))
    from sam_wsss.classes import vocabulary
    from sam_wsss.evaluate import class_table

    names = vocabulary(cfg.pseudo.prompt.vocabulary).names
    (out / "results.md").write_text(f"# {cfg.name}\n\nPseudo labels ({cfg.pseudo.data.eval_split}):\n\n"
                                    + class_table(pseudo, names) + "\n\nDeepLab-v2, val:\n\n"
                                    + class_table(trained, names) + "\n")
    print(json.dumps(result, indent=1))
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--profile", choices=["full", "smoke"], default="full")
    parser.add_argument("--config", type=Path, default=HERE / "configs" / "voc.py", help="full profile only")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.profile == "smoke":
        smoke(args.out or Path("runs/sam_wsss/smoke"))
    else:
        full(args.config, args.out or Path("runs/sam_wsss") / args.config.stem, args.overrides)


if __name__ == "__main__":
    main()
