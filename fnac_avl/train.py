"""Train FNAC and evaluate localisation with the shared trainer.

    python -m fnac_avl.train --config fnac_avl/configs/flickr_10k.py [--set key=value ...] [--run-dir DIR]

As the original train.py: Adam (lr 1e-4, L2 weight decay 1e-4 on every parameter), batch 256, 30 epochs,
the first 5 with the contrastive term alone, then + 100 x each FNAC term. The test set is scored before
training (the untrained model: the `baseline` of results.json) and after the last epoch (`ours`).
results.json: metric "cIoU" (fraction of test images with cIoU >= 0.5, the papers' cIoU), ours, baseline,
and AUC / mean cIoU of both, per test set (the heard/unheard experiment has two).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import torch

from fnac_avl.data import AudioVisualDataset, box_format, test_clips, train_clips
from fnac_avl.evaluate import evaluate_model
from fnac_avl.losses import LossConfig, fnac_loss_terms, total_loss
from fnac_avl.model import ModelConfig, build_model
from shared.cli import resolve, train_parser
from shared.distributed import shutdown
from shared.optim import OptimConfig
from shared.rng import seed_everything
from shared.runlog import merge_results
from shared.schedules import ScheduleConfig
from shared.trainer import Trainer, TrainerConfig


@dataclass
class DataConfig:
    train_root: str = "data/fnac/flickr/train"  # frames/ and audio/
    image_ext: str = ".jpg"  # .jpg (Flickr-SoundNet) or .png (VGG-Sound)
    subset_list: str = "data/fnac/metadata/flickr_10k.txt"  # "" = every clip of train_root
    testset: Literal["flickr", "vggss", "vggss_heard", "vggss_unheard"] = "flickr"
    test_root: str = "data/fnac/flickr/test"
    test_csv: str = "data/fnac/metadata/flickr_test.csv"
    test_annotations: str = "data/fnac/flickr/test/Annotations"  # XML folder (flickr) or vggss.json
    # a second test list on the same data and annotations (the unheard classes of the heard/unheard split)
    extra_testset: Literal["", "vggss_unheard"] = ""
    extra_test_csv: str = ""
    image_size: int = 224
    eval_batch_size: int = 32
    interpolation: Literal["bicubic", "bilinear"] = "bicubic"
    cache: bool = False  # keep decoded clips in memory (small datasets only)
    # write the generated dataset (fnac_avl.synthetic) under this folder first (smoke runs)
    generate: str = ""
    gen_num_train: int = 512
    gen_num_test: int = 96
    gen_size: int = 128


def _default_train() -> TrainerConfig:
    return TrainerConfig(batch_size=256, max_steps=0, seed=12345, log_every=10, ckpt_every=500,
                         optim=OptimConfig(name="adam", lr=1e-4, weight_decay=1e-4, decay_1d_params=True),
                         schedule=ScheduleConfig(name="constant"))


@dataclass
class FNACConfig:
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    loss: LossConfig = field(default_factory=LossConfig)
    train: TrainerConfig = field(default_factory=_default_train)
    epochs: int = 30  # > 0: train.max_steps = epochs x updates per epoch


def prepare_generated(cfg: DataConfig) -> None:
    if cfg.generate:
        from fnac_avl.synthetic import generate

        generate(cfg.generate, cfg.gen_num_train, cfg.gen_num_test, cfg.gen_size)


def test_sets(cfg: DataConfig) -> dict[str, AudioVisualDataset]:
    fmt = box_format(cfg.testset)
    sets = {cfg.testset: (cfg.test_csv, cfg.testset)}
    if cfg.extra_testset:
        sets[cfg.extra_testset] = (cfg.extra_test_csv, cfg.extra_testset)
    return {name: AudioVisualDataset(test_clips(ts, cfg.test_root, csv_path, cfg.test_annotations), train=False,
                                     image_size=cfg.image_size, box_format=fmt, cache=cfg.cache)
            for name, (csv_path, ts) in sets.items()}


def evaluate_all(model: torch.nn.Module, sets: dict[str, AudioVisualDataset], cfg: DataConfig) -> dict[str, float]:
    out = {}
    for i, (name, ds) in enumerate(sets.items()):
        scores = evaluate_model(model, ds, cfg.eval_batch_size, cfg.interpolation)
        prefix = "" if i == 0 else f"{name}_"  # the first test set's metrics keep the plain names
        out.update({prefix + k: v for k, v in scores.items()})
    return out


def run(cfg: FNACConfig, run_dir: str | Path, resume: bool = True) -> dict:
    start = time.perf_counter()
    prepare_generated(cfg.data)
    train_set = AudioVisualDataset(train_clips(cfg.data.train_root, cfg.data.image_ext, cfg.data.subset_list or None),
                                   train=True, image_size=cfg.data.image_size, cache=cfg.data.cache)
    tests = test_sets(cfg.data)
    steps_per_epoch = len(train_set) // cfg.train.batch_size
    if steps_per_epoch == 0:
        raise ValueError(f"{cfg.data.train_root}: {len(train_set)} clips, fewer than one batch of "
                         f"train.batch_size={cfg.train.batch_size}")
    if cfg.epochs > 0:
        cfg.train.max_steps = cfg.epochs * steps_per_epoch
    warmup_steps = cfg.loss.warmup_epochs * steps_per_epoch

    seed_everything(cfg.train.seed)
    model = build_model(cfg.model)
    # the original scores the test set before its first epoch: the untrained model is our baseline
    baseline = evaluate_all(model, tests, cfg.data)

    trainer: Trainer | None = None

    def loss_fn(m: torch.nn.Module, batch: dict) -> tuple[torch.Tensor, dict]:
        img, aud = m(batch["image"], batch["spec"])
        terms = fnac_loss_terms(img, aud, cfg.model.tau, cfg.loss.high_conf_thresh)
        return total_loss(terms, cfg.loss, warmup=trainer.step < warmup_steps), terms

    trainer = Trainer(model, cfg.train, train_set, loss_fn, run_dir,
                      evaluate=lambda m: evaluate_all(m, tests, cfg.data), experiment_config=cfg)
    final = trainer.fit(resume=resume)
    summary = {"metric": "cIoU", "ours": final.get("cIoU"), "baseline": baseline["cIoU"],
               **{f"untrained_{k}": v for k, v in baseline.items()},
               "train_clips": len(train_set), **{f"{k}_clips": len(v) for k, v in tests.items()},
               "seconds": round(time.perf_counter() - start, 1)}
    if trainer.dist.is_main:
        merge_results(run_dir, summary)
    return {**final, **summary, "_model": model, "_tests": tests}


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
