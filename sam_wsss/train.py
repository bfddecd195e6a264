"""Train the segmentation network on pseudo labels, then score it on the validation split.

    python -m sam_wsss.train --config sam_wsss/configs/voc.py [--set train.iters=1000] [--pseudo-dir DIR]

Runs through mmsegmentation's Runner (under torchrun: one process per GPU). An interrupted run resumes from the
newest checkpoint in `train.work_dir`. At the end the network's predictions on the validation split are written
as index PNGs (work_dir/val_pred) and scored with `sam_wsss.metrics`; work_dir/results.json holds the mIoU.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np
import torch

from sam_wsss.config import Experiment
from sam_wsss.data import read_split
from sam_wsss.label_map import save_label_png
from sam_wsss.segtrain import mmseg_config


def num_classes_of(cfg: Experiment) -> int:
    return 21 if cfg.train.dataset == "voc" else 81


def build_runner(cfg: Experiment, pseudo_dir: str | Path):
    from mmengine.config import Config
    from mmengine.runner import Runner

    from sam_wsss.mmseg_modules import OWN_RUN  # importing registers DeepLabV2Head and CocoObjectDataset

    mm = mmseg_config(cfg.train, pseudo_dir, num_classes_of(cfg))
    distributed = int(os.environ.get("WORLD_SIZE", "1")) > 1
    mm["launcher"] = "pytorch" if distributed else "none"
    mm["env_cfg"]["dist_cfg"]["backend"] = "nccl" if torch.cuda.is_available() else "gloo"
    last = Path(cfg.train.work_dir) / "last_checkpoint"
    if last.exists():  # continue an interrupted run from its newest checkpoint
        mm["resume"] = True
        mm["load_from"] = OWN_RUN + last.read_text().strip()
    return Runner.from_cfg(Config(mm))


@torch.no_grad()
def predict_split(model, image_dir: Path, ids: list[str], out_dir: Path) -> None:
    """Single-scale predictions of the network as index PNGs."""
    from mmengine.dataset import Compose, pseudo_collate
    from mmengine.registry import init_default_scope

    init_default_scope("mmseg")
    pipeline = Compose([dict(type="LoadImageFromFile"), dict(type="PackSegInputs")])
    out_dir.mkdir(parents=True, exist_ok=True)
    model.eval()
    for image_id in ids:
        batch = pseudo_collate([pipeline(dict(img_path=str(image_dir / f"{image_id}.jpg")))])
        sample = model.test_step(batch)[0]
        pred = sample.pred_sem_seg.data[0].cpu().numpy().astype(np.uint8)
        save_label_png(pred, out_dir / f"{image_id}.png")


def gt_path_fn(cfg: Experiment):
    gt_dir = Path(cfg.train.data_root) / cfg.train.val_gt_folder
    if cfg.train.dataset == "voc":
        return lambda i: gt_dir / f"{i}.png"
    return lambda i: gt_dir / f"{i.rsplit('_', 1)[-1]}.png"


def train_and_evaluate(cfg: Experiment, pseudo_dir: str | Path) -> dict:
    from sam_wsss.evaluate import evaluate_dirs

    runner = build_runner(cfg, pseudo_dir)
    runner.train()
    if runner.rank != 0:
        return {}
    model = runner.model.module if hasattr(runner.model, "module") else runner.model
    work = Path(cfg.train.work_dir)
    ids = read_split(Path(cfg.train.data_root) / cfg.train.val_split)
    predict_split(model, Path(cfg.train.data_root) / cfg.train.val_image_folder, ids, work / "val_pred")
    result = evaluate_dirs(work / "val_pred", gt_path_fn(cfg), ids, num_classes_of(cfg))
    (work / "results.json").write_text(json.dumps({"metric": "val mIoU", "miou": result["miou"], **result}, indent=1))
    return result


def main(argv: list[str] | None = None) -> None:
    from shared.cli import resolve, train_parser

    parser = train_parser("DeepLab-v2 on SAM pseudo labels (mmsegmentation)")
    parser.add_argument("--pseudo-dir", default="", help="pseudo-label folder (default: pseudo.out_dir)")
    args = parser.parse_args(argv)
    cfg, _ = resolve(args, "sam_wsss")
    if not isinstance(cfg, Experiment):
        sys.exit("error: the config must define an Experiment (sam_wsss.config)")
    pseudo_dir = Path(args.pseudo_dir or cfg.pseudo.out_dir)
    if not any(pseudo_dir.glob("*.png")):
        sys.exit(f"error: {pseudo_dir}: no pseudo labels; run python -m sam_wsss.generate --config {args.config}")
    result = train_and_evaluate(cfg, pseudo_dir)
    if result:
        print(json.dumps({"val_miou": result["miou"], "work_dir": cfg.train.work_dir}))


if __name__ == "__main__":
    main()
