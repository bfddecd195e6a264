"""Train and evaluate an LRA classifier with the shared trainer.

    python -m shared.lra.train --config shared/lra/configs/listops_smoke.py [--set key=value ...] [--run-dir DIR]

Writes the run folder of shared.trainer; its `results.json` holds `metric` ("accuracy"), `ours`
(test accuracy), `baseline` (majority-class accuracy on test, the class most frequent in train),
and the same numbers as `accuracy` / `majority_baseline`, plus `val_accuracy`.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from shared.cli import resolve, train_parser
from shared.distributed import shutdown
from shared.lra.batching import FixedLengthCollate
from shared.lra.classifier import classifier_inputs
from shared.lra.listops import listops_path
from shared.lra.listops_generator import generate_listops
from shared.lra.model import ModelConfig, build_classifier
from shared.lra.tasks import build_dataset, get_task
from shared.rng import seed_everything
from shared.runlog import merge_results
from shared.trainer import Trainer, TrainerConfig, move_to


@dataclass
class DataConfig:
    task: str = "listops"
    data_dir: str = "data/lra_release/listops-1000"
    max_length: int = 0  # 0: the task's LRA length (tasks.py)
    eval_batch_size: int = 64
    pathfinder_difficulty: str = "curv_contour_length_14"
    split_seed: int | None = None  # Pathfinder: None = LRA's ordered 80/10/10 cut; 42 = OpenNLPLab/lra's split
    # ListOps only: write a generated dataset into data_dir when its files are missing (smoke runs)
    generate_listops: bool = False
    gen_num_train: int = 96_000
    gen_num_val: int = 2_000
    gen_num_test: int = 2_000
    gen_max_depth: int = 10
    gen_max_args: int = 10
    gen_min_length: int = 500
    gen_max_length: int = 2000
    gen_seed: int = 0


@dataclass
class LRAConfig:
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainerConfig = field(default_factory=TrainerConfig)


def example_loss(model: torch.nn.Module, data: DataConfig, device: torch.device) -> torch.Tensor:
    """The classification loss of an LRA classifier on one generated batch of 2 at the task's length, inputs made on
    `device` (the dual encoder gets the same document twice): what every paper's meta-device check runs."""
    task = get_task(data.task)
    n = data.max_length or task.seq_len
    tokens = torch.randint(1, task.vocab_size, (2, n), device=device)
    mask = torch.zeros(2, n, dtype=torch.bool, device=device)
    label = torch.randint(task.num_classes, (2,), device=device)
    logits = model(tokens, mask, tokens, mask) if task.dual else model(tokens, mask)
    return F.cross_entropy(logits, label)


def prepare_generated_listops(cfg: DataConfig) -> None:
    if not cfg.generate_listops or listops_path(cfg.data_dir, "test").is_file():
        return
    generate_listops(cfg.data_dir, cfg.gen_num_train, cfg.gen_num_val, cfg.gen_num_test, cfg.gen_max_depth,
                     cfg.gen_max_args, cfg.gen_min_length, cfg.gen_max_length, cfg.gen_seed)


def accuracy(model: torch.nn.Module, data: torch.utils.data.Dataset, collate: FixedLengthCollate, batch_size: int,
             device: torch.device) -> float:
    loader = torch.utils.data.DataLoader(data, batch_size=batch_size, shuffle=False, collate_fn=collate)
    correct = total = 0
    for batch in loader:
        batch = move_to(batch, device)
        logits = model(*classifier_inputs(batch))
        correct += (logits.argmax(-1) == batch["label"]).sum().item()
        total += len(batch["label"])
    return correct / max(total, 1)


def majority_baseline(train_labels: torch.Tensor, test_labels: torch.Tensor) -> tuple[int, float]:
    """The class most frequent in train (ties: the smallest id) and its accuracy on test."""
    counts = Counter(train_labels.tolist())
    top = max(counts.values())
    majority = min(c for c, n in counts.items() if n == top)
    return majority, (test_labels == majority).float().mean().item()


ModelBuilder = Callable[[str, Any, int], torch.nn.Module]


def run(cfg: LRAConfig, run_dir: str | Path, resume: bool = True, build_model: ModelBuilder = build_classifier,
        ) -> dict[str, Any]:
    """Train and test one LRA task. `build_model(task, cfg.model, max_length)` makes the classifier:
    a subproject passes its own builder (and its own dataclass as `cfg.model`) to put its encoder
    under the same data, heads, trainer and results as the Transformer baseline."""
    start = time.perf_counter()
    task = get_task(cfg.data.task)
    max_length = cfg.data.max_length or task.seq_len
    if cfg.data.task == "listops":
        prepare_generated_listops(cfg.data)
    splits = {s: build_dataset(task.name, cfg.data.data_dir, s, max_length, cfg.data.pathfinder_difficulty,
                               cfg.data.split_seed) for s in ("train", "val", "test")}
    collate = FixedLengthCollate(max_length)

    seed_everything(cfg.train.seed)
    model = build_model(task.name, cfg.model, max_length)

    def loss_fn(m: torch.nn.Module, batch: dict) -> tuple[torch.Tensor, dict]:
        logits = m(*classifier_inputs(batch))
        loss = F.cross_entropy(logits, batch["label"])
        return loss, {"accuracy": (logits.argmax(-1) == batch["label"]).float().mean()}

    def evaluate(m: torch.nn.Module) -> dict[str, float]:
        device = next(m.parameters()).device
        return {s + "_accuracy": accuracy(m, splits[s], collate, cfg.data.eval_batch_size, device) for s in ("val", "test")}

    trainer = Trainer(model, cfg.train, splits["train"], loss_fn, run_dir, evaluate=evaluate, collate_fn=collate,
                      experiment_config=cfg)
    final = trainer.fit(resume=resume)
    majority, baseline = majority_baseline(splits["train"].labels, splits["test"].labels)
    results = {
        "task": task.name,
        "metric": "accuracy",
        "ours": final["test_accuracy"],
        "baseline": baseline,
        "accuracy": final["test_accuracy"],
        "val_accuracy": final["val_accuracy"],
        "majority_baseline": baseline,
        "majority_class": majority,
        "step": trainer.step,
        "num_parameters": sum(p.numel() for p in model.parameters()),
        "wall_time_s": round(time.perf_counter() - start, 2),
    }
    if trainer.dist.is_main:
        merge_results(run_dir, results)
    return results


def main() -> None:
    args = train_parser(__doc__.split("\n\n")[0]).parse_args()
    cfg, run_dir = resolve(args, "lra")
    results = run(cfg, run_dir, resume=not args.no_resume)
    print(json.dumps({k: results[k] for k in ("task", "accuracy", "majority_baseline", "step", "wall_time_s")}))
    shutdown()


if __name__ == "__main__":
    main()
