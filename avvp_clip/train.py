"""Train HAN on LLP, from video labels only or with CLIP segment-level visual pseudo labels.

    python -m avvp_clip.train --config avvp_clip/configs/vpl_full.py [--set key=value ...] [--run-dir DIR]

As AVVP-ECCV20's main_avvp.py: Adam, LR decayed x0.1 every `lr_step_epochs` epochs, validation after every
epoch, the checkpoint with the best validation segment-level Type@AV is tested. With `pseudo.denoise`, a
second model is trained from scratch on the pseudo labels flipped by the first one's forward loss.
Writes the shared trainer's run folder; `results.json` holds the ten test scores (`test_seg_visual`, ...),
the best validation scores, and `metric`/`ours` (test segment-level Type@AV).
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from avvp_clip import pseudo_labels
from avvp_clip.config import AVVPConfig, DataConfig, unverified_details
from avvp_clip.data import LLPDataset, note_empty_rows, read_segment_table
from avvp_clip.losses import training_loss
from avvp_clip.metrics import parse_scores, segment_predictions
from avvp_clip.model import HAN
from avvp_clip.synthetic import write_llp_dataset
from shared.checkpoint import atomic_save
from shared.cli import resolve, train_parser
from shared.distributed import shutdown
from shared.dryrun import peak_memory_mb
from shared.rng import seed_everything
from shared.runlog import merge_results
from shared.schedules import ScheduleConfig
from shared.trainer import Trainer, move_to

SELECT_METRIC = "seg_type_av"  # main_avvp.py keeps the epoch with the best validation segment-level Type@AV


def load_split(cfg: DataConfig, csv: str, with_annotations: bool) -> tuple[LLPDataset, np.ndarray | None,
                                                                          np.ndarray | None]:
    dataset = LLPDataset(cfg.path(csv), cfg.layout(), preload=cfg.preload)
    if not with_annotations:
        return dataset, None, None
    annotations = {}
    for kind, name in (("audio", cfg.eval_audio_csv), ("visual", cfg.eval_visual_csv)):
        gt, empty = read_segment_table(cfg.path(name), dataset.filenames)
        note_empty_rows(cfg.path(name), empty)
        annotations[kind] = gt
        dataset.empty_annotation_rows[kind] = len(empty)
    return dataset, annotations["audio"], annotations["visual"]


@torch.no_grad()
def predict(model: HAN, dataset: LLPDataset, batch_size: int, device: torch.device) -> dict[str, np.ndarray]:
    """frame_prob (N, T, 2, C) and global_prob (N, C) of every video, in file order."""
    was_training = model.training
    model.eval()
    loader = torch.utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=False)
    frames, videos = [], []
    for batch in loader:
        batch = move_to(batch, device)
        out = model(batch["audio"], batch["visual"], batch["motion"])
        frames.append(out.frame_prob.float().cpu())
        videos.append(out.global_prob.float().cpu())
    model.train(was_training)
    return {"frame_prob": torch.cat(frames).numpy(), "global_prob": torch.cat(videos).numpy()}


def scores(model: HAN, split: tuple[LLPDataset, np.ndarray, np.ndarray], batch_size: int,
           device: torch.device) -> dict[str, float]:
    dataset, gt_a, gt_v = split
    out = predict(model, dataset, batch_size, device)
    pred_a, pred_v = segment_predictions(out["frame_prob"], out["global_prob"])
    return parse_scores(pred_a, pred_v, gt_a, gt_v)


def train_stage(cfg: AVVPConfig, run_dir: Path, train_set: LLPDataset, val: tuple, resume: bool
                ) -> tuple[HAN, dict[str, float], Trainer]:
    """Train one model; returns it with the weights of its best validation epoch, and those scores."""
    seed_everything(cfg.train.seed)
    model = HAN(cfg.model)
    steps_per_epoch = len(train_set) // cfg.train.batch_size
    if steps_per_epoch == 0:
        raise ValueError(f"{len(train_set)} training videos: fewer than one batch of {cfg.train.batch_size}")
    # StepLR(step_size=lr_step_epochs, gamma) of main_avvp.py, counted in updates
    schedule = ScheduleConfig(name="step", step_every=cfg.lr_step_epochs * steps_per_epoch, gamma=cfg.lr_gamma)
    train_cfg = dataclasses.replace(cfg.train, max_steps=cfg.epochs * steps_per_epoch, eval_every=steps_per_epoch,
                                    schedule=schedule)
    best_file = run_dir / "best_model.pt"
    best: dict[str, Any] = {"scores": {SELECT_METRIC: -1.0}, "state": None}
    if resume and best_file.is_file():  # a resumed run keeps the best epoch it had already seen
        best.update(torch.load(best_file, map_location="cpu", weights_only=True))

    def evaluate(m: HAN) -> dict[str, float]:
        device = next(m.parameters()).device
        result = scores(m, val, cfg.data.eval_batch_size, device)
        # >= as in main_avvp.py: the later of equal epochs wins
        if result[SELECT_METRIC] >= best["scores"][SELECT_METRIC]:
            best.update(scores=result, state={k: v.detach().cpu().clone() for k, v in m.state_dict().items()})
            if trainer.dist.is_main:
                atomic_save(best, best_file)
        return {f"val_{k}": v for k, v in result.items()}

    def loss_fn(m: torch.nn.Module, batch: dict) -> tuple[torch.Tensor, dict]:
        return training_loss(m(batch["audio"], batch["visual"], batch["motion"]), batch, cfg.loss)

    trainer = Trainer(model, train_cfg, train_set, loss_fn, run_dir, evaluate=evaluate, experiment_config=cfg)
    trainer.fit(resume=resume)
    if best["state"] is not None:
        model.load_state_dict(best["state"])
    return model, best["scores"], trainer


def denoised_labels(model: HAN, train_set: LLPDataset, cfg: AVVPConfig, device: torch.device) -> np.ndarray:
    out = predict(model, train_set, cfg.data.eval_batch_size, device)
    visual = torch.from_numpy(out["frame_prob"][:, :, 1])  # N, T, C
    pseudo = torch.from_numpy(train_set.pseudo_labels)
    loss = pseudo_labels.forward_loss(visual, pseudo)
    labels = torch.from_numpy(train_set.labels)
    return pseudo_labels.denoise(pseudo, loss, labels, cfg.pseudo.denoise_top_k, cfg.pseudo.denoise_min_loss).numpy()


def pseudo_label_quality(split: tuple[LLPDataset, np.ndarray, np.ndarray], threshold: float) -> dict[str, float]:
    """Visual segment-level F-score of the CLIP pseudo labels themselves on an annotated split (%)."""
    dataset, gt_a, gt_v = split
    labels = pseudo_labels.generate(torch.from_numpy(dataset.read_clip_probs()), torch.from_numpy(dataset.labels),
                                    threshold).numpy().transpose(0, 2, 1).astype(np.int64)
    result = parse_scores(labels, labels, gt_a, gt_v)
    return {"pseudo_seg_visual": result["seg_visual"], "pseudo_event_visual": result["event_visual"]}


def run(cfg: AVVPConfig, run_dir: str | Path, resume: bool = True) -> dict[str, Any]:
    start = time.perf_counter()
    run_dir = Path(run_dir)
    if cfg.data.generate and not cfg.data.path(cfg.data.train_csv).is_file():
        write_llp_dataset(cfg.data.root, cfg.data.generator)
    train_set, _, _ = load_split(cfg.data, cfg.data.train_csv, with_annotations=False)
    val = load_split(cfg.data, cfg.data.val_csv, with_annotations=True)
    test = load_split(cfg.data, cfg.data.test_csv, with_annotations=True)
    extra: dict[str, Any] = {}
    if cfg.loss.uses_pseudo_labels:
        clip = torch.from_numpy(train_set.read_clip_probs())
        train_set.pseudo_labels = pseudo_labels.generate(clip, torch.from_numpy(train_set.labels),
                                                         cfg.pseudo.clip_threshold).numpy()
        extra.update(pseudo_label_quality(test, cfg.pseudo.clip_threshold))
    elif cfg.pseudo.denoise:
        raise ValueError("pseudo.denoise needs pseudo labels: switch on loss.segment_pseudo or loss.richness")

    stage_dir = run_dir / "before_denoising" if cfg.pseudo.denoise else run_dir
    model, best_val, trainer = train_stage(cfg, stage_dir, train_set, val, resume)
    if cfg.pseudo.denoise:
        before = train_set.pseudo_labels
        train_set.pseudo_labels = denoised_labels(model, train_set, cfg, trainer.dist.device)
        extra["denoise_flipped"] = int((before != train_set.pseudo_labels).sum())
        extra["before_denoising_test_seg_type_av"] = scores(model, test, cfg.data.eval_batch_size,
                                                            trainer.dist.device)["seg_type_av"]
        model, best_val, trainer = train_stage(cfg, run_dir, train_set, val, resume)

    test_scores = scores(model, test, cfg.data.eval_batch_size, trainer.dist.device)
    results = {
        "step": trainer.step,
        "metric": "test segment-level Type@AV F1 (%)",
        "ours": test_scores["seg_type_av"],
        **{f"test_{k}": v for k, v in test_scores.items()},
        **{f"best_val_{k}": v for k, v in best_val.items()},
        **extra,
        "annotation_rows_read_as_empty": {"val": val[0].empty_annotation_rows, "test": test[0].empty_annotation_rows},
        "unverified_method_details": unverified_details(cfg),
        "num_parameters": sum(p.numel() for p in model.parameters()),
        "peak_memory_mb": round(peak_memory_mb(trainer.dist.device), 1),  # CUDA allocator, or this process's RSS
        "wall_time_s": round(time.perf_counter() - start, 2),
    }
    if trainer.dist.is_main:
        merge_results(run_dir, results)
    return results


def main() -> None:
    args = train_parser(__doc__.split("\n\n")[0]).parse_args()
    cfg, run_dir = resolve(args, "avvp_clip")
    try:
        results = run(cfg, run_dir, resume=not args.no_resume)
    except (FileNotFoundError, ValueError) as err:  # missing or malformed data: the message names the file
        sys.exit(f"error: {err}")
    print(json.dumps({k: v for k, v in results.items() if k.startswith("test_") or k in ("ours", "wall_time_s")},
                     indent=1))
    shutdown()


if __name__ == "__main__":
    main()
