"""mIoU of label maps (pseudo labels or a network's predictions) against ground truth, with a per-class table.

    python -m sam_wsss.evaluate --config sam_wsss/configs/voc.py   # pseudo.out_dir on pseudo.data.eval_split
    python -m sam_wsss.evaluate --pred DIR --gt DIR --split ids.txt --classes voc [--out scores.json]

Each score names its mIoU rule (`metrics.py`). Under "original" (the default for pseudo labels, as
test_coco_pseudo.py) an image without a prediction PNG is skipped, and counted in `missing`; under "mmseg" (the
segmentation network's rule) a missing prediction is an error, since the network predicts every image.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from sam_wsss.classes import vocabulary
from sam_wsss.data import read_split
from sam_wsss.label_map import read_label_png
from sam_wsss.metrics import RULES, accumulate, scores


def evaluate_dirs(pred_dir: str | Path, gt_path, ids: Sequence[str], n_class: int, rule: str = "original") -> dict:
    """gt_path: id -> Path of its ground truth; rule: "original" or "mmseg" (metrics.py)."""
    pred_dir = Path(pred_dir)
    missing = []

    def pairs():
        for image_id in ids:
            path = pred_dir / f"{image_id}.png"
            if not path.exists():
                if rule == "mmseg":
                    raise FileNotFoundError(f"{path}: prediction missing; the network must predict every image")
                missing.append(image_id)
                continue
            gt = read_label_png(gt_path(image_id))
            pred = read_label_png(path)
            if pred.shape != gt.shape:
                raise ValueError(f"{path}: shape {pred.shape}, ground truth {gt_path(image_id)} has {gt.shape}")
            yield gt, pred

    result = scores(accumulate(pairs(), n_class), rule)
    result.update(images=len(ids), missing=len(missing), missing_ids=missing[:20])
    return result


def class_table(result: dict, names: Sequence[str]) -> str:
    """Markdown: class | IoU (%), background first."""
    lines = ["| class | IoU (%) |", "|---|---|"]
    for name, iou in zip(("background", *names), result["class_iou"], strict=True):
        lines.append(f"| {name} | {'' if np.isnan(iou) else f'{100 * iou:.1f}'} |")
    lines.append(f"| **mIoU ({result.get('miou_rule', 'original')} rule)** | **{100 * result['miou']:.1f}** |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", help="an Experiment config: score pseudo.out_dir on pseudo.data")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--pred", type=Path)
    parser.add_argument("--gt", type=Path)
    parser.add_argument("--split", type=Path)
    parser.add_argument("--classes", default="voc", choices=["voc", "coco"])
    parser.add_argument("--rule", choices=RULES, default=None,
                        help="mIoU rule (default: pseudo.metric_rule with --config, else original)")
    parser.add_argument("--out", type=Path, help="write the JSON here (default: print only)")
    args = parser.parse_args(argv)
    if args.config:
        from sam_wsss.generate import build_dataset
        from shared.config import ConfigError, apply_overrides, load_config

        try:
            cfg = apply_overrides(load_config(args.config), args.overrides)
        except ConfigError as err:
            sys.exit(f"error: {err}")
        try:
            dataset = build_dataset(cfg.pseudo, for_evaluation=True)
        except (FileNotFoundError, ValueError) as err:
            sys.exit(f"error: {err}")
        if dataset.gt_path is None:
            sys.exit(f"error: {cfg.pseudo.data.data_root}/{cfg.pseudo.data.eval_gt_folder}: no ground truth to score against")
        names = vocabulary(cfg.pseudo.prompt.vocabulary).names
        result = evaluate_dirs(cfg.pseudo.out_dir, dataset.gt_path, dataset.ids, dataset.num_classes,
                               args.rule or cfg.pseudo.metric_rule)
    else:
        if not (args.pred and args.gt and args.split):
            parser.error("give --config, or --pred, --gt and --split")
        names = vocabulary(args.classes).names
        gt_dir = args.gt
        result = evaluate_dirs(args.pred, lambda i: gt_dir / f"{i}.png", read_split(args.split), len(names) + 1,
                               args.rule or "original")
    print(class_table(result, names))
    text = json.dumps(result, indent=1)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
    print(text if not args.out else f"wrote {args.out}")


if __name__ == "__main__":
    main()
