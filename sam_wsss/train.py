"""Train the segmentation network on pseudo labels, then score it on the validation split.

    python -m sam_wsss.train --config sam_wsss/configs/voc.py [--set train.max_steps=1000] [--pseudo-dir DIR]

Runs through mmsegmentation's Runner (under torchrun: one process per GPU). An interrupted run resumes from the
newest checkpoint in `train.work_dir`. At the end the network's predictions on the validation split are written
as index PNGs (work_dir/val_pred): over `train.test_scales` (and their flips with `train.test_flip`) the mean
softmax, or the pixel-wise max of the logits (`train.test_fusion=max_logit`, deeplab-pytorch's MSC), refined by a dense CRF with `train.crf`; they are scored with mmsegmentation's IoUMetric rule
(`sam_wsss.metrics`), and work_dir/results.json holds the mIoU and names its rule.
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
from sam_wsss.model import num_classes_of
from sam_wsss.segtrain import mmseg_config


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
def predict_probs(model, image: np.ndarray, scales: tuple[float, ...] = (1.0,), flip: bool = False,
                  fusion: str = "mean_prob") -> torch.Tensor:
    """Class probabilities (classes, h, w) of a BGR uint8 image over scales (and flips): the mean softmax
    ("mean_prob"), or the softmax of the pixel-wise max of the logits upsampled to the image ("max_logit")."""
    if fusion not in ("mean_prob", "max_logit"):
        raise ValueError(f"train.test_fusion {fusion!r} unknown; expected 'mean_prob' or 'max_logit'")
    height, width = image.shape[:2]
    x = torch.from_numpy(np.ascontiguousarray(image.transpose(2, 0, 1))).float()[None]
    device = next(model.parameters()).device
    total = None
    for scale in scales:
        size = (int(height * scale), int(width * scale))
        scaled = torch.nn.functional.interpolate(x, size=size, mode="bilinear", align_corners=False) if scale != 1 else x
        for flipped in ((False, True) if flip else (False,)):
            inputs = scaled.flip(-1) if flipped else scaled
            data = model.data_preprocessor({"inputs": [inputs[0].to(device)]}, False)["inputs"]
            data = data[..., : size[0], : size[1]]  # the preprocessor pads to the crop size; predict the image only
            logits = model.decode_head(model.backbone(data))
            logits = torch.nn.functional.interpolate(logits, size=(height, width), mode="bilinear",
                                                     align_corners=False)
            out = logits[0].flip(-1) if flipped else logits[0]
            if fusion == "mean_prob":
                out = out.softmax(0)
                total = out if total is None else total + out
            else:
                total = out if total is None else torch.maximum(total, out)
    if fusion == "max_logit":
        return total.softmax(0).cpu()
    return (total / (len(scales) * (2 if flip else 1))).cpu()


@torch.no_grad()
def predict_split(model, image_dir: Path, ids: list[str], out_dir: Path, scales: tuple[float, ...] = (1.0,),
                  flip: bool = False, crf: bool = False, fusion: str = "mean_prob") -> None:
    """Predictions of the network as index PNGs (multi-scale / flip / CRF as asked)."""
    import mmcv

    out_dir.mkdir(parents=True, exist_ok=True)
    model.eval()
    refine = None
    if crf:
        from sam_wsss.crf import DenseCRF

        refine = DenseCRF()
    for image_id in ids:
        image = mmcv.imread(str(image_dir / f"{image_id}.jpg"))  # BGR, as mmseg's LoadImageFromFile
        probs = predict_probs(model, image, scales, flip, fusion)
        if refine is not None:
            probs = torch.from_numpy(refine(np.ascontiguousarray(image[..., ::-1]), probs.numpy()))
        save_label_png(probs.argmax(0).numpy().astype(np.uint8), out_dir / f"{image_id}.png")


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
    t = cfg.train
    predict_split(model, Path(t.data_root) / t.val_image_folder, ids, work / "val_pred", tuple(t.test_scales),
                  t.test_flip, t.crf, t.test_fusion)
    result = evaluate_dirs(work / "val_pred", gt_path_fn(cfg), ids, num_classes_of(cfg), rule="mmseg")
    result["evaluation"] = {"scales": list(t.test_scales), "flip": t.test_flip, "fusion": t.test_fusion,
                            "crf": t.crf}
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
