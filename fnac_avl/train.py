"""Train FNAC and evaluate localisation with the shared trainer.

    python -m fnac_avl.train --config fnac_avl/configs/flickr_10k.py [--set key=value ...] [--run-dir DIR]

As the original train.py: Adam (lr 1e-4, L2 weight decay 1e-4 on every parameter), batch 256, 30 epochs,
the first 5 with the contrastive term alone, then + 100 x each FNAC term. The test set is scored before
training (the untrained model: the `baseline` of results.json) and after every epoch; with the paper
configs' `train.select_metric=cIoU` the trainer keeps checkpoints/best.pt, the epoch with the best test
cIoU, as the original keeps best.pth: the original selects its checkpoint on the test set itself.
results.json: metric "cIoU" (fraction of test images with cIoU >= 0.5, the papers' cIoU), ours (of the
selected checkpoint), the last epoch's scores (`last_*`), baseline, and AUC / mean cIoU, per test set
(the heard/unheard experiment has two).
"""

from __future__ import annotations

import time
from pathlib import Path

import torch

from fnac_avl.config import FNACConfig
from fnac_avl.convert import load_image_weights
from fnac_avl.data import AudioVisualDataset, train_clips
from fnac_avl.evaluate import evaluate_all, test_sets
from fnac_avl.losses import training_loss
from fnac_avl.model import build_model
from shared.cli import resolve, train_parser
from shared.distributed import shutdown
from shared.dryrun import peak_memory_mb
from shared.rng import seed_everything
from shared.runlog import merge_results
from shared.trainer import Trainer


def prepare_generated(cfg: FNACConfig) -> None:
    if cfg.data.generate:
        from fnac_avl.synthetic import generate

        generate(cfg.data.generate, cfg.data.gen_num_train, cfg.data.gen_num_test, cfg.data.gen_size)


def run(cfg: FNACConfig, run_dir: str | Path, resume: bool = True) -> dict:
    import dataclasses

    start = time.perf_counter()
    prepare_generated(cfg)
    train_set = AudioVisualDataset(train_clips(cfg.data.train_root, cfg.data.image_ext, cfg.data.subset_list or None),
                                   train=True, image_size=cfg.data.image_size, cache=cfg.data.cache)
    tests = test_sets(cfg.data)
    steps_per_epoch = len(train_set) // cfg.train.batch_size  # the original drops the last partial batch
    if steps_per_epoch == 0:
        raise ValueError(f"{cfg.data.train_root}: {len(train_set)} clips, fewer than one batch of "
                         f"train.batch_size={cfg.train.batch_size}")
    train_cfg = cfg.train
    if cfg.epochs > 0:
        train_cfg = dataclasses.replace(train_cfg, max_steps=cfg.epochs * steps_per_epoch)
        if train_cfg.select_metric and train_cfg.eval_every == 0:  # the original scores the test set every epoch
            train_cfg = dataclasses.replace(train_cfg, eval_every=steps_per_epoch)
    warmup_steps = cfg.loss.warmup_epochs * steps_per_epoch

    seed_everything(cfg.train.seed)
    model = build_model(cfg)
    if cfg.model.image_weights:
        load_image_weights(model.image_encoder, cfg.model.image_weights)
    # the original scores the test set before its first epoch: the untrained model is our baseline
    baseline = evaluate_all(model, tests, cfg.data)

    trainer: Trainer | None = None

    def loss_fn(m: torch.nn.Module, batch: dict) -> tuple[torch.Tensor, dict]:
        return training_loss(m, batch, cfg, warmup=trainer.step < warmup_steps)

    trainer = Trainer(model, train_cfg, train_set, loss_fn, run_dir,
                      evaluate=lambda m: evaluate_all(m, tests, cfg.data), experiment_config=cfg)
    last = trainer.fit(resume=resume)
    best = trainer.selector.best.metrics if trainer.selector.enabled and trainer.selector.best else None
    chosen = best or last
    summary = {"metric": "cIoU", "ours": chosen.get("cIoU"), "baseline": baseline["cIoU"],
               "checkpoint": f"best {train_cfg.select_metric} (the original's rule)" if best else "last",
               **{k: v for k, v in chosen.items()}, **{f"last_{k}": v for k, v in last.items()},
               **{f"untrained_{k}": v for k, v in baseline.items()},
               "train_clips": len(train_set), **{f"{k}_clips": len(v) for k, v in tests.items()},
               "num_parameters": sum(p.numel() for p in model.parameters()),
               "peak_memory_mb": round(peak_memory_mb(trainer.dist.device), 1),
               "seconds": round(time.perf_counter() - start, 1)}
    if trainer.dist.is_main:
        merge_results(run_dir, summary)
    return {**summary, "_model": model, "_tests": tests}


def main() -> None:
    parser = train_parser("Train FNAC (audio-visual source localisation)")
    args = parser.parse_args()
    cfg, run_dir = resolve(args, "fnac_avl")
    try:
        out = run(cfg, run_dir, resume=not args.no_resume)
        print({k: v for k, v in out.items() if not k.startswith("_")})
    finally:
        shutdown()


if __name__ == "__main__":
    main()
