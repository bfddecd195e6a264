"""Train the linear video transformer with the shared trainer, then test with multi-view averaging.

    python -m video_linear.train --config video_linear/configs/k400.py [--set key=value ...]

`results.json`: `metric` = "top1_acc", `ours` = multi-view top-1 accuracy (percent) on the test split,
plus `top5_acc` and the parameter count; for multi-label data (Charades) `metric` = "map".
Views are ensembled on the raw head outputs (logits), as the original `tools/test_net.py` does.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
import torch.nn.functional as F

from shared.cli import resolve, train_parser
from shared.distributed import shutdown
from shared.rng import seed_everything
from shared.runlog import merge_results
from shared.trainer import Trainer, TrainerConfig
from video_linear.charades import CharadesClips
from video_linear.data import DataConfig, VideoClips
from video_linear.metrics import ensemble_views, mean_average_precision, multiview_topk
from video_linear.model import ModelConfig, VideoLinearTransformer, count_parameters


@dataclass
class VideoConfig:
    model: ModelConfig = field(default_factory=ModelConfig)
    data: DataConfig = field(default_factory=DataConfig)
    label_smoothing: float = 0.3  # the original's smooth_cross_entropy default
    multi_label: bool = False  # Charades: BCE-with-logits loss, max-ensembled views, mAP
    ensemble: Literal["sum", "max"] = "sum"  # DATA.ENSEMBLE_METHOD
    mixup_alpha: float = 0.0  # TRAIN.MIXUP_ALPHA: clip-level MixUp (optimizer.py:MixUper)
    eval_split: str = "test"
    train: TrainerConfig = field(default_factory=TrainerConfig)


@torch.no_grad()
def predict(model: torch.nn.Module, data: torch.utils.data.Dataset,
            batch_size: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Logits, labels and clip indices of every item (view) of `data`."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    scores, labels, ids = [], [], []
    for clips, label, index in torch.utils.data.DataLoader(data, batch_size=batch_size):
        scores.append(model(clips.to(device)).float().cpu())
        labels.append(label)
        ids.append(index)
    model.train(was_training)
    return torch.cat(scores), torch.cat(labels), torch.cat(ids)


def multiview_metrics(model: torch.nn.Module, data, batch_size: int, multi_label: bool = False,
                      ensemble: str = "sum") -> dict[str, float]:
    scores, labels, ids = predict(model, data, batch_size)
    if multi_label:
        preds, video_labels = ensemble_views(scores, labels, ids, len(data.videos), data.num_clips, ensemble, True)
        return {"map": mean_average_precision(preds.numpy(), video_labels.numpy())}
    ks = (1, min(5, scores.size(1)))
    return multiview_topk(scores, labels, ids, len(data.videos), data.num_clips, ks=ks, method=ensemble)


def mixup(clips: torch.Tensor, labels: torch.Tensor, alpha: float):
    """lam ~ Beta(alpha, alpha); clips mixed with a permutation of the batch (MixUper.mixup_data)."""
    lam = float(np.random.beta(alpha, alpha))
    index = torch.randperm(clips.size(0), device=clips.device)
    return lam * clips + (1 - lam) * clips[index], labels, labels[index], lam


def build_dataset(cfg: VideoConfig, split: str):
    if cfg.data.dataset == "charades":
        return CharadesClips(cfg.data, split, cfg.model.num_classes)
    return VideoClips(cfg.data, split, cfg.model.num_classes)


def run(cfg: VideoConfig, run_dir: str | Path, resume: bool = True) -> dict[str, Any]:
    start = time.perf_counter()
    train_data = build_dataset(cfg, "train")
    eval_data = build_dataset(cfg, cfg.eval_split)
    seed_everything(cfg.train.seed)
    model = VideoLinearTransformer(cfg.model)

    def loss_fn(m: torch.nn.Module, batch: tuple) -> tuple[torch.Tensor, dict]:
        clips, labels, _ = batch
        if cfg.mixup_alpha > 0 and not cfg.multi_label:
            clips, labels_a, labels_b, lam = mixup(clips, labels, cfg.mixup_alpha)
            logits = m(clips)
            loss = lam * F.cross_entropy(logits, labels_a, label_smoothing=cfg.label_smoothing) + (
                1 - lam) * F.cross_entropy(logits, labels_b, label_smoothing=cfg.label_smoothing)
            return loss, {}
        logits = m(clips)
        if cfg.multi_label:
            return F.binary_cross_entropy_with_logits(logits, labels), {}
        acc = (logits.argmax(-1) == labels).float().mean()
        return F.cross_entropy(logits, labels, label_smoothing=cfg.label_smoothing), {"accuracy": acc}

    def evaluate(m: torch.nn.Module) -> dict[str, float]:
        return multiview_metrics(m, eval_data, cfg.data.eval_batch_size, cfg.multi_label, cfg.ensemble)

    trainer = Trainer(model, cfg.train, train_data, loss_fn, run_dir, evaluate=evaluate, experiment_config=cfg)
    final = trainer.fit(resume=resume)
    metric = "map" if cfg.multi_label else "top1_acc"
    results = {"metric": metric, "ours": final[metric], "parameters": count_parameters(model),
               "train_seconds": round(time.perf_counter() - start, 1)}
    if trainer.dist.is_main:
        merge_results(run_dir, results)
    return {**final, **results}


def main(argv: list[str] | None = None) -> int:
    args = train_parser(__doc__.split("\n\n")[0]).parse_args(argv)
    cfg, run_dir = resolve(args, "video_linear")
    try:
        results = run(cfg, run_dir, resume=not args.no_resume)
    finally:
        shutdown()
    print({k: results[k] for k in ("metric", "ours", "top5_acc") if k in results})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
