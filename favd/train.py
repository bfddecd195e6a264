"""Train AVLFormer on FAVDBench (or the generated smoke set) and evaluate paragraph generation.

    python -m favd.train --config favd/configs/favd_32frm.py [--set key=value ...] [--run-dir DIR]

The run folder (shared.trainer) gets `predictions.json` (COCO result format) and `results.json` with
BLEU-1..4 / METEOR / ROUGE-L / CIDEr / EntityScore for the model (`ours`, metric CIDEr) and for a
constant description (`baseline`: the training description that agrees most with the others by CIDEr).
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from favd.convert import load_pretrained
from favd.data import FAVDDataset
from favd.evaluation import EvalConfig, constant_baseline, score_predictions
from favd.model import AVLFormer, ModelConfig, count_parameters
from favd.synthetic import generate_dataset
from favd.tensorize import CaptionTensorizer
from favd.tokenizer import WordPiece
from shared.cli import resolve, train_parser
from shared.distributed import barrier, gather_objects, shutdown
from shared.rng import seed_everything
from shared.runlog import merge_results
from shared.trainer import Trainer, TrainerConfig, move_to


@dataclass
class DataConfig:
    root: str = "datasets"
    vocab_file: str = "models/captioning/bert-base-uncased/vocab.txt"
    train_split: str = "train"
    eval_split: str = "test"
    caption_file: str = "{split}.caption.tsv"
    num_frames: int = 32
    img_res: int = 224
    clip_seconds: float = 10.0
    max_seq_length: int = 300
    max_gen_length: int = 115
    num_beams: int = 1  # the original's default: greedy
    mask_prob: float = 0.25
    max_masked_tokens: int = 75
    eval_batch_size: int = 2
    max_eval_clips: int = 0  # 0: the whole split
    cache_decoded: bool = False  # keep decoded clips in memory (small data only)
    # generated data (smoke): written into `root` when its files are missing
    generate: bool = False
    gen_num_train: int = 96
    gen_num_test: int = 24
    gen_seed: int = 0


@dataclass
class InitConfig:
    """Pretrained weights the original starts from (local paths; empty: random init)."""

    video_swin: str = ""  # swin_base_patch244_window877_kinetics600_22k.pth
    passt: str = ""  # passt-s-f128-p16-s10-ap.476-swa.pt
    bert: str = ""  # bert-base-uncased pytorch_model.bin
    checkpoint: str = ""  # an original AVLFormer model.bin (all weights)


@dataclass
class FAVDConfig:
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainerConfig = field(default_factory=TrainerConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)
    init: InitConfig = field(default_factory=InitConfig)
    backbone_coef_lr: float = 0.05  # Video Swin learns at lr * this
    freeze_backbone: bool = False
    freeze_passt: bool = False


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


def build_model(cfg: FAVDConfig) -> AVLFormer:
    model = AVLFormer(cfg.model)
    load_pretrained(model, cfg.init.video_swin, cfg.init.passt if model.passt is not None else "", cfg.init.bert,
                    cfg.init.checkpoint)
    for flag, module in ((cfg.freeze_backbone, model.swin), (cfg.freeze_passt, model.passt)):
        if flag and module is not None:
            for p in module.parameters():
                p.requires_grad = False
    return model


def datasets(cfg: FAVDConfig, tokenizer: WordPiece) -> tuple[FAVDDataset, FAVDDataset]:
    d, m = cfg.data, cfg.model
    train_tz = CaptionTensorizer(tokenizer, m.max_img_seq_length, d.max_seq_length, d.mask_prob, d.max_masked_tokens,
                                 is_train=True, rng=random.Random(cfg.train.seed))
    test_tz = CaptionTensorizer(tokenizer, m.max_img_seq_length, d.max_gen_length, is_train=False)
    common = dict(num_frames=d.num_frames, img_res=d.img_res, sample_rate=m.audio.sample_rate,
                  clip_seconds=d.clip_seconds, caption_file=d.caption_file, cache=d.cache_decoded)
    train = FAVDDataset(d.root, d.train_split, train_tz, training=True, seed=cfg.train.seed, **common)
    test = FAVDDataset(d.root, d.eval_split, test_tz, training=False, **common)
    return train, test


@torch.no_grad()
def generate_descriptions(model: AVLFormer, data: FAVDDataset, tokenizer: WordPiece, cfg: FAVDConfig,
                          rank: int = 0, world: int = 1) -> dict[str, str]:
    """vid -> generated paragraph, for this process's share of the clips (greedy unless data.num_beams > 1)."""
    device = next(model.parameters()).device
    n = len(data) if not cfg.data.max_eval_clips else min(cfg.data.max_eval_clips, len(data))
    indices = list(range(rank, n, world))
    out: dict[str, str] = {}
    for start in range(0, len(indices), cfg.data.eval_batch_size):
        items = [data[i] for i in indices[start:start + cfg.data.eval_batch_size]]
        batch = move_to(torch.utils.data.default_collate(items), device)
        ids, _ = model.generate(batch["frames"], batch["audio"], batch["attention_mask"], cfg.data.max_gen_length,
                                tokenizer.id(tokenizer.cls_token), tokenizer.id(tokenizer.sep_token),
                                tokenizer.id(tokenizer.pad_token), tokenizer.id(tokenizer.mask_token),
                                num_beams=cfg.data.num_beams)
        for item, seq in zip(items, ids.tolist(), strict=True):
            out[data.clips[item["index"]].vid] = tokenizer.decode(seq)
    return out


def run(cfg: FAVDConfig, run_dir: str | Path, resume: bool = True) -> dict[str, Any]:
    start = time.perf_counter()
    run_dir = Path(run_dir)
    if cfg.data.generate and not (Path(cfg.data.root) / "metadata" / f"{cfg.data.eval_split}.caption.tsv").is_file():
        generate_dataset(cfg.data.root, cfg.data.gen_num_train, cfg.data.gen_num_test, cfg.data.num_frames,
                         cfg.data.img_res, cfg.model.audio.sample_rate, cfg.data.clip_seconds, cfg.data.gen_seed)
    tokenizer = WordPiece(cfg.data.vocab_file)
    train_data, test_data = datasets(cfg, tokenizer)
    seed_everything(cfg.train.seed)
    model = build_model(cfg)

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
