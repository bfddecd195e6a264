"""Train the weight-sharing supernet, or one sub-network from scratch, with the shared trainer.

    python -m nas_efficient.train --config nas_efficient/configs/cifar10_supernet.py [--set key=value ...]
    python -m nas_efficient.train --config nas_efficient/configs/cifar10_subnet.py --set arch_file=best_arch.json

Supernet (`mode="supernet"`): every update trains one sub-network drawn uniformly from the search
space, the same on every process (drawn from the update number, as HAT seeds its sampler), so a
resumed run draws the same sequence. Its evaluation reports the largest and the smallest
sub-networks. Subnet (`mode="subnet"`): a network of exactly the architecture in `arch_file` (or
`arch`), trained from scratch, as the paper retrains the searched architecture.
`results.json`: `metric` = "accuracy", `ours` = test accuracy (supernet: of the largest sub-network),
`baseline` = majority-class accuracy.
"""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from nas_efficient.arch import Arch
from nas_efficient.config import NasConfig, SearchSpace
from nas_efficient.data import build_datasets
from nas_efficient.model import build_model, count_parameters, subnet_arch
from nas_efficient.optim import build_optimizer
from shared.cli import resolve, train_parser
from shared.distributed import shutdown
from shared.dryrun import peak_memory_mb
from shared.rng import seed_everything
from shared.runlog import merge_results
from shared.trainer import Trainer


def sampled_arch(space: SearchSpace, seed: int, step: int) -> Arch:
    """The sub-network trained at update `step`: a function of the update number only."""
    return space.sample(random.Random(seed * 1_000_003 + step))


@torch.no_grad()
def accuracy(model: torch.nn.Module, data: torch.utils.data.Dataset, batch_size: int, arch: Arch | None = None,
             limit: int | None = None) -> float:
    """Top-1 accuracy; `arch` selects a sub-network of a supernet; `limit` evaluates the first samples."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    if limit is not None:
        data = torch.utils.data.Subset(data, range(min(limit, len(data))))
    correct = total = 0
    for images, labels in torch.utils.data.DataLoader(data, batch_size=batch_size):
        images, labels = images.to(device), labels.to(device)
        logits = model(images, arch) if arch is not None else model(images)
        correct += (logits.argmax(-1) == labels).sum().item()
        total += len(labels)
    model.train(was_training)
    return correct / max(total, 1)


def split_accuracies(model: torch.nn.Module, splits: dict, batch_size: int, arch: Arch | None = None,
                     suffix: str = "") -> dict[str, float]:
    """val_accuracy and test_accuracy; a split that is the same dataset as another (CIFAR-10 validates on its
    test set, as the original) is evaluated once."""
    val = accuracy(model, splits["val"], batch_size, arch)
    test = val if splits["test"] is splits["val"] else accuracy(model, splits["test"], batch_size, arch)
    return {f"val_accuracy{suffix}": val, f"test_accuracy{suffix}": test}


def majority_accuracy(train: torch.utils.data.Dataset, test: torch.utils.data.Dataset) -> float:
    def labels(d: Any) -> list[int]:
        return [int(v) for v in d.labels]

    top = Counter(labels(train)).most_common(1)[0][0]
    test_labels = labels(test)
    return sum(v == top for v in test_labels) / len(test_labels)


def run(cfg: NasConfig, run_dir: str | Path, resume: bool = True) -> dict[str, Any]:
    start = time.perf_counter()
    splits = build_datasets(cfg.data.dataset, cfg.data.root, cfg.model.image_size, cfg.data.augment)
    seed_everything(cfg.train.seed)
    trainer: Trainer | None = None

    model = build_model(cfg)
    if cfg.mode == "supernet":

        def loss_fn(m: torch.nn.Module, batch: tuple) -> tuple[torch.Tensor, dict]:
            assert trainer is not None
            images, labels = batch
            logits = m(images, sampled_arch(cfg.space, cfg.train.seed, trainer.step))
            return F.cross_entropy(logits, labels, label_smoothing=cfg.label_smoothing), {}

        def evaluate(m: torch.nn.Module) -> dict[str, float]:
            out = {}
            for name, arch in (("largest", cfg.space.largest()), ("smallest", cfg.space.smallest())):
                out.update(split_accuracies(m, splits, cfg.data.eval_batch_size, arch, suffix=f"_{name}"))
            return out
    else:

        def loss_fn(m: torch.nn.Module, batch: tuple) -> tuple[torch.Tensor, dict]:
            images, labels = batch
            logits = m(images)
            acc = (logits.argmax(-1) == labels).float().mean()
            return F.cross_entropy(logits, labels, label_smoothing=cfg.label_smoothing), {"accuracy": acc}

        def evaluate(m: torch.nn.Module) -> dict[str, float]:
            return split_accuracies(m, splits, cfg.data.eval_batch_size)

    trainer = Trainer(model, cfg.train, splits["train"], loss_fn, run_dir, evaluate=evaluate, experiment_config=cfg,
                      optimizer=build_optimizer(model, cfg.train.optim))
    final = trainer.fit(resume=resume)
    test_key = "test_accuracy_largest" if cfg.mode == "supernet" else "test_accuracy"
    arch_used = cfg.space.largest() if cfg.mode == "supernet" else subnet_arch(cfg)
    results = {
        "mode": cfg.mode,
        "metric": "accuracy",
        "ours": final[test_key],
        "baseline": majority_accuracy(splits["train"], splits["test"]),
        "arch": json.loads(arch_used.to_json()),
        # the original's figure (`get_sampled_params_numel`), the one its 25M search constraint reads
        "num_parameters": count_parameters(cfg.model, cfg.space, arch_used),
        "step": trainer.step,
        "peak_memory_mb": round(peak_memory_mb(trainer.dist.device), 1),  # this training process's own peak
        "wall_time_s": round(time.perf_counter() - start, 2),
    }
    if trainer.dist.is_main:
        merge_results(run_dir, results)
    return {**final, **results}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = train_parser(__doc__.split("\n\n")[0]).parse_args(argv)
    cfg, run_dir = resolve(args, "nas_efficient")
    results = run(cfg, run_dir, resume=not args.no_resume)
    print(json.dumps({k: results[k] for k in ("mode", "ours", "baseline", "num_parameters", "step")}))
    shutdown()
    return results


if __name__ == "__main__":
    main()
