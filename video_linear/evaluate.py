"""Multi-view test metrics from a checkpoint, or from saved per-view predictions.

    python -m video_linear.evaluate --config video_linear/configs/k400.py --checkpoint RUN/checkpoints/step_X.pt
    python -m video_linear.evaluate --config video_linear/configs/k400.py --checkpoint released.pyth --original
    python -m video_linear.evaluate --predictions preds.pt --num-clips 12 [--multi-label]

A checkpoint is ours (the trainer's `{"model": ...}`) or, with --original, a checkpoint of the original
code (converted on the fly). A predictions file holds `preds` (views, classes), `labels` and `clip_ids`
as the original's TestMeter receives them. Prints JSON: top1_acc/top5_acc (percent), or map (multi-label).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

from shared.config import apply_overrides, load_config
from video_linear.convert import convert_state_dict, load_into
from video_linear.metrics import ensemble_views, mean_average_precision, multiview_topk
from video_linear.model import VideoLinearTransformer
from video_linear.train import build_dataset, multiview_metrics


def from_predictions(path: Path, num_clips: int, multi_label: bool, method: str) -> dict[str, float]:
    data = torch.load(path, map_location="cpu")
    for key in ("preds", "labels", "clip_ids"):
        if key not in data:
            raise SystemExit(f"error: {path}: missing field {key!r} (expected preds, labels, clip_ids)")
    num_videos = int(data["clip_ids"].max()) // num_clips + 1
    if multi_label:
        preds, labels = ensemble_views(data["preds"], data["labels"], data["clip_ids"], num_videos, num_clips,
                                       "max", multi_label=True)
        return {"map": mean_average_precision(preds.numpy(), labels.numpy())}
    return multiview_topk(data["preds"], data["labels"], data["clip_ids"], num_videos, num_clips, method=method)


def from_checkpoint(config: Path, checkpoint: Path, original: bool, split: str,
                    overrides: list[str] = ()) -> dict[str, float]:
    cfg = apply_overrides(load_config(config), list(overrides))
    model = VideoLinearTransformer(cfg.model)
    state = torch.load(checkpoint, map_location="cpu", weights_only=False)
    state = convert_state_dict(state) if original else state.get("model", state)
    load_into(model, state)
    model.to("cuda" if torch.cuda.is_available() else "cpu")
    data = build_dataset(cfg, split)
    return multiview_metrics(model, data, cfg.data.eval_batch_size, cfg.multi_label, cfg.ensemble)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path)
    parser.add_argument("--checkpoint", type=Path)
    parser.add_argument("--original", action="store_true", help="the checkpoint comes from the original code")
    parser.add_argument("--split", default="test")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="override a config value, e.g. --set data.root=...")
    parser.add_argument("--predictions", type=Path)
    parser.add_argument("--num-clips", type=int, default=12, help="views per video in the predictions file")
    parser.add_argument("--multi-label", action="store_true", help="Charades: mAP over max-ensembled views")
    parser.add_argument("--ensemble", choices=["sum", "max"], default="sum")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    if args.predictions:
        metrics = from_predictions(args.predictions, args.num_clips, args.multi_label, args.ensemble)
    elif args.config and args.checkpoint:
        metrics = from_checkpoint(args.config, args.checkpoint, args.original, args.split, args.overrides)
    else:
        parser.error("give --predictions, or --config with --checkpoint")
    text = json.dumps(metrics, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
