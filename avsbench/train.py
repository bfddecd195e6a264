"""Train and evaluate an AVS model on AVSBench-object S4 or MS3.

    python -m avsbench.train --config avsbench/configs/s4_pvt_tpavi.py [--set key=value ...] [--run-dir DIR]

Writes the shared trainer's run folder; results.json holds `metric` ("miou"), `ours` (test mIoU),
`f_score`, the validation scores, and the test predictions as PNG masks under pred_masks/.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import torch

from avsbench.data import AVSDataset
from avsbench.evaluation import batched_scores, predict, save_masks
from avsbench.losses import avm_cos, avm_kl, ms3_bce, s4_bce
from avsbench.model import ModelConfig
from avsbench.system import AudioConfig, AVSSystem, load_backbone, load_vggish
from shared.cli import resolve, train_parser
from shared.distributed import shutdown
from shared.rng import seed_everything
from shared.runlog import merge_results
from shared.trainer import Trainer, TrainerConfig


@dataclass
class DataConfig:
    root: str = "data/avsbench/Single-source"  # the folder holding s4_meta_data.csv / ms3_meta_data.csv
    setting: Literal["s4", "ms3"] = "s4"
    image_size: int = 224
    audio: Literal["log_mel", "wav"] = "log_mel"  # the release's log-mel pickles, or computed from audio_wav/
    eval_clips_per_batch: int = 4  # metrics per batch of clips, averaged (the original test.sh)
    generate: bool = False  # write the generated dataset into root when its CSV is missing (smoke runs)
    generate_image_size: int = 64
    generate_clips: tuple[int, int, int] = (48, 8, 16)  # train, val, test


@dataclass
class LossConfig:
    avm: Literal["none", "kl", "cos"] = "none"  # kl: the paper's AVM loss (MS3 code); cos: the S4 code's variant
    avm_weight: float = 0.0  # lambda
    avm_stages: tuple[int, ...] = (0, 1, 2, 3)
    avm_normalize: bool = False
    avm_threshold: bool = False


@dataclass
class AVSConfig:
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    audio: AudioConfig = field(default_factory=AudioConfig)
    loss: LossConfig = field(default_factory=LossConfig)
    train: TrainerConfig = field(default_factory=TrainerConfig)
    backbone_weights: str | None = None  # ImageNet weights of the image backbone


def make_loss(cfg: AVSConfig):
    setting, lc = cfg.data.setting, cfg.loss

    def loss_fn(system: torch.nn.Module, batch: dict) -> tuple[torch.Tensor, dict]:
        logits, vmaps, amaps = system(batch["frames"], batch["log_mel"])
        logits = logits.float()
        if setting == "s4":
            bce = s4_bce(logits, batch["masks"][:, 0], cfg.model.num_frames)
        else:
            bce = ms3_bce(logits, batch["masks"].flatten(0, 1))
        logs = {"bce": bce.detach()}
        loss = bce
        if lc.avm != "none" and lc.avm_weight > 0:
            vm = [v.float() for v in vmaps]
            am = [a if a is None else a.float() for a in amaps]
            if lc.avm == "kl":
                avm = avm_kl(logits, am, vm, lc.avm_stages, lc.avm_normalize, lc.avm_threshold)
            else:
                avm = avm_cos(logits, am, vm, lc.avm_stages)
            loss = loss + lc.avm_weight * avm
            logs["avm"] = avm.detach()
        return loss, logs

    return loss_fn


def build_system(cfg: AVSConfig) -> AVSSystem:
    if cfg.loss.avm != "none" and not (cfg.model.tpavi_va and set(cfg.loss.avm_stages) <= set(cfg.model.tpavi_stages)):
        raise ValueError("loss.avm needs audio-visual TPAVI at every stage of loss.avm_stages (model.tpavi_stages)")
    system = AVSSystem(cfg.model, cfg.audio)
    if cfg.audio.vggish_weights:
        load_vggish(system, cfg.audio.vggish_weights)
    if cfg.backbone_weights:
        load_backbone(system, cfg.backbone_weights)
    return system


def run(cfg: AVSConfig, run_dir: str | Path, resume: bool = True) -> dict:
    start = time.perf_counter()
    d = cfg.data
    if d.generate and not Path(d.root, f"{d.setting}_meta_data.csv").is_file():
        from avsbench.synthetic import generate

        generate(d.root, d.setting, dict(zip(("train", "val", "test"), d.generate_clips, strict=True)),
                 d.generate_image_size, seed=cfg.train.seed)
    splits = {s: AVSDataset(d.root, d.setting, s, d.image_size, d.audio) for s in ("train", "val", "test")}
    seed_everything(cfg.train.seed)
    system = build_system(cfg)
    cache: dict = {}

    def evaluate(model: torch.nn.Module) -> dict[str, float]:
        device = next(model.parameters()).device
        out = {}
        for s in ("val", "test"):
            probs, targets = predict(model, splits[s], device, d.eval_clips_per_batch)
            cache[s] = probs
            for k, v in batched_scores(probs, targets, d.eval_clips_per_batch).items():
                out[f"{s}_{k}"] = v
        return out

    trainer = Trainer(system, cfg.train, splits["train"], make_loss(cfg), run_dir, evaluate=evaluate,
                      experiment_config=cfg)
    final = trainer.fit(resume=resume)
    results = {
        "metric": "miou",
        "ours": final["test_miou"],
        "miou": final["test_miou"],
        "f_score": final["test_f_score"],
        "val_miou": final["val_miou"],
        "val_f_score": final["val_f_score"],
        "setting": d.setting,
        "backbone": cfg.model.backbone,
        "tpavi_stages": list(cfg.model.tpavi_stages),
        "step": trainer.step,
        "num_parameters": sum(p.numel() for p in system.avs.parameters()),
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
