"""Train the linear video transformer with the shared trainer, then test with multi-view averaging.

    python -m video_linear.train --config video_linear/configs/k400.py [--set key=value ...]

`results.json`: `metric` = "top1_acc", `ours` = multi-view top-1 accuracy (percent) on the test split,
plus `top5_acc` and the parameter count; for multi-label data (Charades) `metric` = "map".
Views are ensembled on the raw head outputs (logits), as the original `tools/test_net.py` does.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from shared.checkpoint import list_checkpoints
from shared.cli import resolve, train_parser
from shared.distributed import shutdown
from shared.dryrun import peak_memory_mb
from shared.rng import seed_everything
from shared.runlog import merge_results
from shared.trainer import Trainer
from video_linear.charades import CharadesClips
from video_linear.config import VideoConfig
from video_linear.data import VideoClips
from video_linear.metrics import ensemble_views, mean_average_precision, multiview_topk
from video_linear.model import build_model, count_parameters
from video_linear.pretrained import initialise
from video_linear.schedule import slowfast_scheduler


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


def training_loss(model: torch.nn.Module, cfg: VideoConfig, clips: torch.Tensor, labels: torch.Tensor
                  ) -> tuple[torch.Tensor, dict]:
    """The recipe's loss: BCE-with-logits (multi-label), or label-smoothed cross-entropy with optional MixUp."""
    if cfg.mixup_alpha > 0 and not cfg.multi_label:
        clips, labels_a, labels_b, lam = mixup(clips, labels, cfg.mixup_alpha)
        logits = model(clips)
        loss = lam * F.cross_entropy(logits, labels_a, label_smoothing=cfg.label_smoothing) + (
            1 - lam) * F.cross_entropy(logits, labels_b, label_smoothing=cfg.label_smoothing)
        return loss, {}
    logits = model(clips)
    if cfg.multi_label:
        return F.binary_cross_entropy_with_logits(logits, labels), {}
    acc = (logits.argmax(-1) == labels).float().mean()
    return F.cross_entropy(logits, labels, label_smoothing=cfg.label_smoothing), {"accuracy": acc}


def build_dataset(cfg: VideoConfig, split: str):
    if cfg.data.dataset == "charades":
        return CharadesClips(cfg.data, split, cfg.model.num_classes)
    return VideoClips(cfg.data, split, cfg.model.num_classes)


def trainer_is_fresh(run_dir: str | Path, resume: bool) -> bool:
    """Pretrained weights are loaded only when no checkpoint of this run will replace them."""
    return not (resume and list_checkpoints(Path(run_dir) / "checkpoints"))


def run(cfg: VideoConfig, run_dir: str | Path, resume: bool = True) -> dict[str, Any]:
    start = time.perf_counter()
    train_data = build_dataset(cfg, "train")
    eval_data = build_dataset(cfg, cfg.eval_split)
    seed_everything(cfg.train.seed)
    model = build_model(cfg)
    init = initialise(model, cfg.init) if trainer_is_fresh(run_dir, resume) else {}

    def loss_fn(m: torch.nn.Module, batch: tuple) -> tuple[torch.Tensor, dict]:
        clips, labels, _ = batch
        return training_loss(m, cfg, clips, labels)

    def evaluate(m: torch.nn.Module) -> dict[str, float]:
        return multiview_metrics(m, eval_data, cfg.data.eval_batch_size, cfg.multi_label, cfg.ensemble)

    trainer = Trainer(model, cfg.train, train_data, loss_fn, run_dir, evaluate=evaluate, experiment_config=cfg)
    if cfg.warmup_start_ratio is not None:  # the original's policy replaces the shared one (before any resume)
        trainer.scheduler = slowfast_scheduler(trainer.optimizer, cfg.train.schedule, cfg.train.max_steps,
                                               cfg.warmup_start_ratio)
    final = trainer.fit(resume=resume)
    metric = "map" if cfg.multi_label else "top1_acc"
    results = {"metric": metric, "ours": final[metric], "parameters": count_parameters(model), **init,
               "peak_memory_mb": round(peak_memory_mb(trainer.dist.device), 1),  # CUDA allocator, or process RSS
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
