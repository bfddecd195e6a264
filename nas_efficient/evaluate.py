"""Accuracy of a trained network on the test split, as JSON.

    python -m nas_efficient.evaluate --run-dir RUN [--arch ARCH.json] [--out FILE]

A subnet run is evaluated as trained; a supernet run needs `--arch` (e.g. a search's
best_arch.json), whose sub-network inherits the supernet's weights.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from nas_efficient.arch import Arch
from nas_efficient.data import build_datasets
from nas_efficient.metrics import accuracy
from nas_efficient.model import FixedArch, VisionSupernet, build_subnet, subnet_arch
from shared import checkpoint as ckpt
from shared.config import load_config


@torch.no_grad()
def predict(model: torch.nn.Module, data: torch.utils.data.Dataset, batch_size: int) -> tuple[torch.Tensor, torch.Tensor]:
    model.eval()
    preds, labels = [], []
    for images, y in torch.utils.data.DataLoader(data, batch_size=batch_size):
        preds.append(model(images).argmax(-1))
        labels.append(y)
    return torch.cat(preds), torch.cat(labels)


def evaluate(run_dir: Path, arch_file: Path | None = None) -> dict:
    cfg = load_config(run_dir / "config.json")
    path = ckpt.latest_checkpoint(run_dir / "checkpoints")
    if path is None:
        raise FileNotFoundError(f"{run_dir}/checkpoints: no checkpoint to evaluate")
    state = ckpt.load_checkpoint(path)["model"]
    if cfg.mode == "supernet":
        if arch_file is None:
            raise ValueError(f"{run_dir} is a supernet run: give the sub-network to evaluate with --arch")
        arch = Arch.load(arch_file)
        supernet = VisionSupernet(cfg.space, cfg.model)
        supernet.load_state_dict(state)
        model = FixedArch(supernet, arch)
    else:
        arch = subnet_arch(cfg)
        model = FixedArch(build_subnet(arch, cfg.model), arch)
        model.load_state_dict(state)
    test = build_datasets(cfg.data.dataset, cfg.data.root, cfg.model.image_size, augment=False)["test"]
    preds, labels = predict(model, test, cfg.data.eval_batch_size)
    return {"run_dir": str(run_dir), "checkpoint": path.name, "arch": json.loads(arch.to_json()),
            "test_accuracy": accuracy(preds, labels), "num_test": len(labels)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run-dir", type=Path, required=True)
    parser.add_argument("--arch", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    result = evaluate(args.run_dir, args.arch)
    text = json.dumps(result, indent=2)
    if args.out:
        args.out.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
