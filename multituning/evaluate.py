"""Test metrics of a trained AMF run, or of a predictions file.

    python -m multituning.evaluate --run-dir runs/multituning/fgvc_aircraft-...   # the policy stage's checkpoint
    python -m multituning.evaluate --predictions preds.csv                         # lines 'label,prediction'

Prints (and with --out writes) JSON: AMF's accuracy, each member's, the equal-weight fusion's, the
oracle (any member right), the mean policy weight of each member, and per-class mean accuracies.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from collections import Counter
from pathlib import Path

import torch
from torch.utils.data import DataLoader, Dataset

from multituning.metrics import mean_class_accuracy, oracle_accuracy, top1_accuracy
from multituning.model import fuse


@torch.no_grad()
def predict(model: torch.nn.Module, data: Dataset, batch_size: int, num_workers: int = 0,
            ) -> tuple[torch.Tensor, torch.Tensor]:
    """Outputs of `model` (in eval mode) over `data`, and the labels; both on the CPU."""
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    outputs, labels = [], []
    for batch in DataLoader(data, batch_size=batch_size, shuffle=False, num_workers=num_workers):
        outputs.append(model(batch[0].to(device)).float().cpu())
        labels.append(torch.as_tensor(batch[1]))
    model.train(was_training)
    return torch.cat(outputs), torch.cat(labels)


@torch.no_grad()
def evaluate_amf(model: torch.nn.Module, data: Dataset, batch_size: int, standard: str = "standard",
                 num_workers: int = 0) -> dict:
    """One pass over `data`: every member's logits and the policy's weights, then all fusions from them."""
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    logits, weights, labels = [], [], []
    for batch in DataLoader(data, batch_size=batch_size, shuffle=False, num_workers=num_workers):
        x = batch[0].to(device)
        logits.append(model.member_logits(x).float().cpu())  # b, K, C
        weights.append(model.weights(x).float().cpu())  # b, K
        labels.append(torch.as_tensor(batch[1]))
    model.train(was_training)
    logits, weights, labels = torch.cat(logits), torch.cat(weights), torch.cat(labels)
    return fusion_metrics(logits, weights, labels, model.names, model.fusion, standard)


def fusion_metrics(logits: torch.Tensor, weights: torch.Tensor, labels: torch.Tensor, names: list[str],
                   fusion: str, standard: str = "standard") -> dict[str, float]:
    """logits (n, K, C), weights (n, K), labels (n,) -> AMF, per-member, uniform-fusion and oracle accuracies."""
    amf = fuse(logits, weights, fusion).argmax(-1)
    uniform = fuse(logits, torch.full_like(weights, 1.0 / weights.shape[1]), fusion).argmax(-1)
    member_preds = logits.argmax(-1).T  # K, n
    out = {"amf_accuracy": top1_accuracy(amf, labels), "amf_mean_class_accuracy": mean_class_accuracy(amf, labels),
           "uniform_fusion_accuracy": top1_accuracy(uniform, labels),
           "oracle_accuracy": oracle_accuracy(member_preds, labels)}
    for k, name in enumerate(names):
        out[f"accuracy_{name}"] = top1_accuracy(member_preds[k], labels)
        out[f"mean_weight_{name}"] = weights[:, k].mean().item()
    out["best_single_accuracy"] = max(out[f"accuracy_{n}"] for n in names)
    if standard in names:
        k = names.index(standard)
        out["standard_mean_class_accuracy"] = mean_class_accuracy(member_preds[k], labels)
    return out


def majority_baseline(train_labels: torch.Tensor, test_labels: torch.Tensor) -> tuple[int, float]:
    """The class most frequent in train (ties: the smallest id) and its accuracy on test."""
    counts = Counter(train_labels.tolist())
    top = max(counts.values())
    majority = min(c for c, n in counts.items() if n == top)
    return majority, (test_labels == majority).double().mean().item()


def read_predictions(path: Path) -> tuple[torch.Tensor, torch.Tensor]:
    """A CSV of 'label,prediction' integer lines (an optional header line 'label,prediction')."""
    labels, preds = [], []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip() or (number == 1 and line.strip().lower() == "label,prediction"):
            continue
        fields = line.split(",")
        try:
            label, pred = (int(f) for f in fields)
        except ValueError:
            raise ValueError(f"{path}:{number}: expected 'label,prediction' as two integers, got {line!r}") from None
        labels.append(label)
        preds.append(pred)
    return torch.tensor(preds), torch.tensor(labels)


def evaluate_run(run_dir: Path) -> dict[str, float]:
    """Rebuild the run's AMF model from the policy stage's newest checkpoint and test it."""
    from multituning.data import build_split
    from multituning.members import build_member
    from multituning.model import MultiTuned, PolicyNet
    from shared import checkpoint as ckpt
    from shared.config import load_config

    path = ckpt.latest_checkpoint(run_dir / "policy" / "checkpoints")
    if path is None:
        raise FileNotFoundError(f"{run_dir / 'policy' / 'checkpoints'}: no checkpoint; train the run first")
    cfg = load_config(run_dir / "policy" / "config.json")
    test_set = build_split(cfg.data, train=False)
    state = ckpt.load_checkpoint(path)["model"]
    num_classes = state["members.0.backbone.fc.weight"].shape[0]
    settings = cfg.members.parsed()
    backbone = dataclasses.replace(cfg.members.backbone, pretrained_file="")  # the checkpoint has every weight
    members = [build_member(backbone, s, num_classes) for s in settings]
    p = cfg.policy
    model = MultiTuned(members, PolicyNet(len(members), stem_width=p.stem_width, widths=p.widths,
                                          input_size=p.input_size or None),
                       [s.name for s in settings], fusion=p.fusion, temperature=p.temperature, hard=p.hard)
    model.load_state_dict(state)
    return evaluate_amf(model, test_set, cfg.data.eval_batch_size, cfg.standard_setting, cfg.data.num_workers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--run-dir", type=Path)
    source.add_argument("--predictions", type=Path)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    if args.run_dir is not None:
        metrics = evaluate_run(args.run_dir)
    else:
        preds, labels = read_predictions(args.predictions)
        metrics = {"accuracy": top1_accuracy(preds, labels), "mean_class_accuracy": mean_class_accuracy(preds, labels)}
    text = json.dumps(metrics, indent=2, sort_keys=True)
    print(text)
    if args.out is not None:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
