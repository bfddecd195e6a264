"""Train AVLFormer on FAVDBench (or the generated smoke set) and evaluate paragraph generation.

    python -m favd.train --config favd/configs/favd_32frm.py [--set key=value ...] [--run-dir DIR]

The run folder (shared.trainer) gets `predictions.json` (COCO result format) and `results.json` with
BLEU-1..4 / METEOR / ROUGE-L / CIDEr / EntityScore for the model (`ours`, metric CIDEr) and for a
constant description (`baseline`: the training description that agrees most with the others by CIDEr).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import torch

from favd.config import FAVDConfig
from favd.convert import load_pretrained
from favd.data import build_datasets
from favd.evaluate import constant_baseline, generate_descriptions, score_predictions
from favd.model import AVLFormer, build_model, count_parameters
from favd.synthetic import generate_dataset
from favd.tokenizer import WordPiece
from shared.cli import resolve, train_parser
from shared.distributed import barrier, gather_objects, shutdown
from shared.dryrun import peak_memory_mb
from shared.rng import seed_everything
from shared.runlog import merge_results
from shared.trainer import Trainer


def build_optimizer(model: AVLFormer, cfg: FAVDConfig) -> torch.optim.Optimizer:
    """The original's four groups: Video Swin at lr * backbone_coef_lr; no decay for names with 'bias' or
    'LayerNorm' (so Swin/PaSST `norm*` weights do decay, as in the original)."""
    lr, wd = cfg.train.optim.lr, cfg.train.optim.weight_decay
    groups: dict[tuple[bool, bool], list] = {(s, d): [] for s in (True, False) for d in (True, False)}
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        no_decay = any(nd in name for nd in ("bias", "LayerNorm.bias", "LayerNorm.weight"))
        groups[("swin." in name, not no_decay)].append(p)
    param_groups = [{"params": ps, "weight_decay": wd if decay else 0.0,
                     "lr": lr * cfg.backbone_coef_lr if swin else lr}
                    for (swin, decay), ps in groups.items() if ps]
    o = cfg.train.optim
    return torch.optim.AdamW(param_groups, lr=lr, betas=o.betas, eps=o.eps, foreach=True)


def initialised_model(cfg: FAVDConfig) -> AVLFormer:
    """The config's model with the released parts it starts from loaded (Video Swin K600, PaSST AudioSet; BERT
    from scratch in the paper config, as the original)."""
    model = build_model(cfg)
    load_pretrained(model, cfg.init.video_swin, cfg.init.passt if model.passt is not None else "", cfg.init.bert,
                    cfg.init.checkpoint)
    return model


def run(cfg: FAVDConfig, run_dir: str | Path, resume: bool = True) -> dict[str, Any]:
    start = time.perf_counter()
    run_dir = Path(run_dir)
    if cfg.data.generate and not (Path(cfg.data.root) / "metadata" / f"{cfg.data.eval_split}.caption.tsv").is_file():
        generate_dataset(cfg.data.root, cfg.data.gen_num_train, cfg.data.gen_num_test, cfg.data.num_frames,
                         cfg.data.img_res, cfg.model.audio.sample_rate, cfg.data.clip_seconds, cfg.data.gen_seed)
    tokenizer = WordPiece(cfg.data.vocab_file)
    train_data, test_data = build_datasets(cfg, tokenizer)
    seed_everything(cfg.train.seed)
    model = initialised_model(cfg)

    def loss_fn(m: torch.nn.Module, batch: dict) -> tuple[torch.Tensor, dict]:
        logits = m(batch["input_ids"], batch["attention_mask"], batch["frames"], batch["audio"], batch["token_type_ids"])
        return model.compute_loss(logits, batch)

    predictions: dict[str, str] = {}

    def evaluate(m: torch.nn.Module) -> dict[str, float]:
        rank, world = trainer.dist.rank, trainer.dist.world_size
        shards = gather_objects(generate_descriptions(m, test_data, tokenizer, cfg, rank, world))
        predictions.clear()
        for shard in shards:
            predictions.update(shard)
        refs = {c.vid: c.caption for c in test_data.clips if c.vid in predictions}
        return score_predictions(predictions, refs, cfg.eval)

    trainer = Trainer(model, cfg.train, train_data, loss_fn, run_dir, evaluate=evaluate,
                      optimizer=build_optimizer(model, cfg), experiment_config=cfg)
    final = trainer.fit(resume=resume)
    results: dict[str, Any] = {}
    if trainer.dist.is_main:
        (run_dir / "predictions.json").write_text(json.dumps(
            [{"image_id": k, "caption": v} for k, v in predictions.items()], indent=1))
        refs = {c.vid: c.caption for c in test_data.clips if c.vid in predictions}
        constant = constant_baseline([c.caption for c in train_data.clips])
        base = score_predictions({k: constant for k in refs}, refs, cfg.eval)
        results = {
            "metric": "CIDEr",
            "ours": final["CIDEr"],
            "baseline": base["CIDEr"],
            **{k: v for k, v in final.items()},
            **{f"baseline_{k}": v for k, v in base.items()},
            "baseline_description": constant,
            "example_prediction": next(iter(predictions.items()), None),
            "step": trainer.step,
            "num_parameters": count_parameters(model),
            "peak_memory_mb": round(peak_memory_mb(trainer.dist.device), 1),
            "wall_time_s": round(time.perf_counter() - start, 2),
        }
        merge_results(run_dir, results)
    barrier()  # the other processes wait for the main one's scoring before the process group goes away
    return results


def main() -> None:
    args = train_parser(__doc__.split("\n\n")[0]).parse_args()
    cfg, run_dir = resolve(args, "favd")
    results = run(cfg, run_dir, resume=not args.no_resume)
    if results:
        keys = ("CIDEr", "baseline_CIDEr", "EntityScore", "baseline_EntityScore", "step", "wall_time_s")
        print(json.dumps({k: results.get(k) for k in keys}))
    shutdown()


if __name__ == "__main__":
    main()
