"""Train and evaluate an AVS model on AVSBench-object S4 or MS3.

    python -m avsbench.train --config avsbench/configs/s4_pvt_tpavi.py [--set key=value ...] [--run-dir DIR]

Writes the shared trainer's run folder. Every evaluation scores val (1 clip a batch, as the original's
validation) and test (4 clips a batch, as test.sh); with the paper configs' `train.select_metric=val_miou`
the trainer keeps checkpoints/best.pt, the best validation epoch, which is the checkpoint the original
tests. results.json holds `metric` ("miou"), `ours` (test mIoU of the best-validation checkpoint when
selecting, else of the last), the last checkpoint's scores (`last_*`), and the test predictions of the
last checkpoint as PNG masks under pred_masks/.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import torch

from avsbench.config import AVSConfig
from avsbench.convert import load_pretrained
from avsbench.data import AVSDataset
from avsbench.evaluate import batched_scores, predict, save_masks
from avsbench.losses import training_loss
from avsbench.model import build_model
from shared.cli import resolve, train_parser
from shared.distributed import shutdown
from shared.dryrun import peak_memory_mb
from shared.rng import seed_everything
from shared.runlog import merge_results
from shared.trainer import Trainer


def make_loss(cfg: AVSConfig):
    def loss_fn(system: torch.nn.Module, batch: dict) -> tuple[torch.Tensor, dict]:
        return training_loss(cfg, system(batch["frames"], batch["log_mel"]), batch)

    return loss_fn


def build_system(cfg: AVSConfig) -> torch.nn.Module:
    """The model with the weights the recipe starts from (VGGish, ImageNet backbone, S4 model for MS3)."""
    system = build_model(cfg)
    load_pretrained(system, cfg)
    return system


def run(cfg: AVSConfig, run_dir: str | Path, resume: bool = True) -> dict:
    start = time.perf_counter()
    d = cfg.data
    if d.generate and not Path(d.data_root, f"{d.setting}_meta_data.csv").is_file():
        from avsbench.synthetic import generate

        generate(d.data_root, d.setting, dict(zip(("train", "val", "test"), d.generate_clips, strict=True)),
                 d.generate_image_size, seed=cfg.train.seed)
    splits = {s: AVSDataset(d.data_root, d.setting, s, d.image_size, d.audio) for s in ("train", "val", "test")}
    seed_everything(cfg.train.seed)
    system = build_system(cfg)
    cache: dict = {}
    per_batch = {"val": d.val_clips_per_batch, "test": d.eval_clips_per_batch}

    def evaluate(model: torch.nn.Module) -> dict[str, float]:
        device = next(model.parameters()).device
        out = {}
        for s in ("val", "test"):
            probs, targets = predict(model, splits[s], device, per_batch[s])
            cache[s] = probs
            for k, v in batched_scores(probs, targets, per_batch[s]).items():
                out[f"{s}_{k}"] = v
        return out

    trainer = Trainer(system, cfg.train, splits["train"], make_loss(cfg), run_dir, evaluate=evaluate,
                      experiment_config=cfg)
    last = trainer.fit(resume=resume)
    best = trainer.selector.best.metrics if trainer.selector.enabled and trainer.selector.best else None
    chosen = best or last
    results = {
        "metric": "miou",
        "ours": chosen["test_miou"],
        "miou": chosen["test_miou"],
        "f_score": chosen["test_f_score"],
        "val_miou": chosen["val_miou"],
        "val_f_score": chosen["val_f_score"],
        "checkpoint": "best validation mIoU" if best else "last",
        **{f"last_{k}": v for k, v in last.items()},
        "setting": d.setting,
        "backbone": cfg.model.backbone,
        "tpavi_stages": list(cfg.model.tpavi_stages),
        "step": trainer.step,
        "num_parameters": sum(p.numel() for p in trainer.model.avs.parameters()),
        "peak_memory_mb": round(peak_memory_mb(trainer.dist.device), 1),
        "wall_time_s": round(time.perf_counter() - start, 2),
    }
    if trainer.dist.is_main:
        save_masks(cache["test"], splits["test"], Path(run_dir) / "pred_masks")
        merge_results(run_dir, results)
    return results


def main() -> None:
    args = train_parser(__doc__.split("\n\n")[0]).parse_args()
    cfg, run_dir = resolve(args, "avsbench")
    results = run(cfg, run_dir, resume=not args.no_resume)
    print(json.dumps({k: results[k] for k in ("setting", "backbone", "miou", "f_score", "step", "wall_time_s")}))
    shutdown()


if __name__ == "__main__":
    main()
