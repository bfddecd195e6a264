"""Pseudo labels for a whole dataset: resumable, one PNG per image, failures logged and skipped.

    python -m sam_wsss.generate --config sam_wsss/configs/voc.py [--set pseudo.data.limit=100] [--shard 0/4]

Writes into `pseudo.out_dir`: <id>.png (VOC-palette index PNG), detections.jsonl (caption, boxes, phrases,
labels per image), failures.jsonl (image id and error), overlays/<id>.png (photo | labels blended).
An image whose PNG exists is skipped, so a killed run continues where it stopped.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from tqdm.auto import tqdm

from sam_wsss.classes import vocabulary
from sam_wsss.config import Experiment, PseudoConfig
from sam_wsss.data import WsssDataset, coco_dataset, voc_dataset
from sam_wsss.detector import GroundingDinoDetector
from sam_wsss.label_map import overlay, save_label_png
from sam_wsss.model import build_grounding_dino, build_sam
from sam_wsss.pipeline import PseudoLabeler
from sam_wsss.prompts import FileBoxPrompts, TextBoxPrompts
from sam_wsss.segmenter import SamBoxSegmenter

FAILURES_FILE = "failures.jsonl"
DETECTIONS_FILE = "detections.jsonl"


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def build_dataset(cfg: PseudoConfig, for_evaluation: bool = False) -> WsssDataset:
    """The images to label (or, `for_evaluation`, the split and ground truth the labels are scored on)."""
    d = cfg.data
    split, gt_folder = (d.eval_split, d.eval_gt_folder) if for_evaluation else (d.split, d.gt_folder)
    if d.dataset == "voc":
        dataset = voc_dataset(d.data_root, split, d.cls_labels, gt_folder)
    else:
        dataset = coco_dataset(d.data_root, split, d.instances_json, gt_folder=gt_folder)
    if d.limit:
        dataset.ids = dataset.ids[: d.limit]
    return dataset


def build_labeler(cfg: PseudoConfig, device: torch.device) -> PseudoLabeler:
    vocab = vocabulary(cfg.prompt.vocabulary)
    if cfg.prompt.source == "text":
        det = cfg.detector
        model, tokenizer = build_grounding_dino(det.kind, det.weights, det.tokenizer, cfg.seed)
        detector = GroundingDinoDetector(model, tokenizer, det.box_threshold, det.text_threshold, det.size,
                                         det.max_size, device, det.phrase_rule)
        prompts = TextBoxPrompts(detector, vocab)
    else:
        prompts = FileBoxPrompts(cfg.prompt.boxes_json, vocab.num_classes)
    sam = build_sam(cfg.segmenter.kind, cfg.segmenter.weights, cfg.seed)
    return PseudoLabeler(prompts, SamBoxSegmenter(sam, device), cfg.amp, device.type)


@dataclass
class GenerationReport:
    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already on disk
    failed: list[str] = field(default_factory=list)


def _append_json(path: Path, record: dict) -> None:
    with path.open("a") as f:
        f.write(json.dumps(record) + "\n")


def generate(dataset: WsssDataset, labeler: PseudoLabeler, out_dir: str | Path, overlays: int = 0,
             ids: list[str] | None = None, progress: bool = True) -> GenerationReport:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "overlays").mkdir(exist_ok=True)
    report = GenerationReport()
    ids = dataset.ids if ids is None else ids
    for index, image_id in enumerate(tqdm(ids, desc="pseudo labels", disable=not progress)):
        target = out_dir / f"{image_id}.png"
        if target.exists():
            report.skipped.append(image_id)
            continue
        try:
            image = dataset.image(image_id)
            result = labeler(image_id, image, dataset.labels(image_id))
        except Exception as err:  # one bad image must not stop a 10k-image run
            _append_json(out_dir / FAILURES_FILE, {"id": image_id, "error": f"{type(err).__name__}: {err}",
                                                   "where": traceback.format_exc(limit=-1).strip().splitlines()[-2:]})
            report.failed.append(image_id)
            continue
        save_label_png(result.label_map, target)
        p = result.prompts
        _append_json(out_dir / DETECTIONS_FILE, {
            "id": image_id, "caption": p.caption, "phrases": p.phrases, "labels": p.labels,
            "scores": [round(float(s), 4) for s in p.scores], "boxes": np.round(p.boxes.numpy(), 2).tolist()})
        if index < overlays:
            side = np.concatenate([image, overlay(image, result.label_map)], axis=1)
            Image.fromarray(side).save(out_dir / "overlays" / f"{image_id}.png")
        report.written.append(image_id)
    return report


def shard_ids(ids: list[str], shard: str) -> list[str]:
    """"i/n": every n-th id from the i-th (one shard per GPU process)."""
    try:
        index, count = (int(v) for v in shard.split("/"))
    except ValueError as err:
        raise ValueError(f"--shard {shard!r}: expected i/n, e.g. 0/4") from err
    if not 0 <= index < count:
        raise ValueError(f"--shard {shard!r}: i must be in 0..n-1")
    return ids[index::count]


def main(argv: list[str] | None = None) -> None:
    from shared.cli import resolve, train_parser

    parser = train_parser("SAM pseudo labels from image-level labels")
    parser.add_argument("--shard", default="", help="i/n: this process's share (default: from torchrun's RANK)")
    args = parser.parse_args(argv)
    cfg, _ = resolve(args, "sam_wsss")
    if not isinstance(cfg, Experiment):
        sys.exit("error: the config must define an Experiment (sam_wsss.config)")
    shard = args.shard or (f"{os.environ['RANK']}/{os.environ['WORLD_SIZE']}" if "RANK" in os.environ else "0/1")
    device = resolve_device(cfg.pseudo.device)
    if device.type == "cuda" and "LOCAL_RANK" in os.environ:
        device = torch.device("cuda", int(os.environ["LOCAL_RANK"]))
    try:
        dataset = build_dataset(cfg.pseudo)
        labeler = build_labeler(cfg.pseudo, device)
    except (FileNotFoundError, ValueError) as err:  # missing data or weights: say which, no traceback
        sys.exit(f"error: {err}")
    report = generate(dataset, labeler, cfg.pseudo.out_dir, cfg.pseudo.overlays, shard_ids(dataset.ids, shard))
    print(json.dumps({"written": len(report.written), "skipped": len(report.skipped),
                      "failed": len(report.failed), "out_dir": cfg.pseudo.out_dir}))


if __name__ == "__main__":
    main()
