"""One global MS3 batch (2 clips, 10 frames) through a small AVS model, on 1 process or under torchrun.

    python tests/avsbench/parallel_worker.py OUT.pt [--no-sync]      (or under torchrun --nproc_per_node=2)
The model has BatchNorm where the paper's has it (ResNet backbone, TPAVI's W_z) and trains with the paper's MS3
loss (BCE + 0.5 x AVM-AV, or AVM-VV with --avm kl_vv). Each process takes its rank's share of the batch, as the
trainer's sampler does; BatchNorm is synchronised as the paper configs' `train.sync_batchnorm` does. Rank 0
writes OUT.pt: the loss averaged over processes, the gradients after DDP's averaging, the BatchNorm buffers.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from avsbench.config import AudioConfig, ModelConfig  # noqa: E402
from avsbench.configs._common import ms3_config  # noqa: E402
from avsbench.losses import training_loss  # noqa: E402
from avsbench.model import build_model  # noqa: E402
from shared.distributed import init_distributed, mean_over_processes, shutdown  # noqa: E402
from shared.parallel import convert_sync_batchnorm  # noqa: E402
from shared.rng import seed_everything  # noqa: E402

CLIPS, SIZE = 2, 64


def config(avm: str):
    cfg = ms3_config("resnet50", avm=avm)
    return dataclasses.replace(
        cfg, model=ModelConfig(backbone="resnet50", channels=8, resnet_layers=(1, 1, 1, 1), head_channels=(8, 4)),
        audio=AudioConfig(widths=(4, 8, 8, 8), hidden=16, random_init="kaiming"),
        data=dataclasses.replace(cfg.data, image_size=SIZE))


def batch() -> dict:
    g = torch.Generator().manual_seed(5)
    return {"frames": 1.5 + 2.0 * torch.randn(CLIPS, 5, 3, SIZE, SIZE, generator=g),
            "log_mel": torch.randn(CLIPS, 5, 1, 96, 64, generator=g),
            "masks": (torch.rand(CLIPS, 5, 1, SIZE, SIZE, generator=g) > 0.5).float()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--no-sync", action="store_true")
    parser.add_argument("--avm", default="kl", choices=("kl", "kl_vv", "none"))
    args = parser.parse_args()
    dist = init_distributed("cpu")
    cfg = config(args.avm)
    seed_everything(0)
    model = build_model(cfg)
    model.train()
    if dist.distributed and not args.no_sync:
        model = convert_sync_batchnorm(model)
    forward = (torch.nn.parallel.DistributedDataParallel(model, find_unused_parameters=cfg.train.find_unused_parameters)
               if dist.distributed else model)
    share = CLIPS // dist.world_size
    full = batch()
    mine = {k: v[dist.rank * share: (dist.rank + 1) * share] for k, v in full.items()}
    loss, logs = training_loss(cfg, forward(mine["frames"], mine["log_mel"]), mine)
    loss.backward()
    logged = mean_over_processes({"loss": loss.item(), **{k: float(v) for k, v in logs.items()}}, dist.device)
    if dist.rank == 0:
        torch.save({"logged": logged,
                    "grads": {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None},
                    "buffers": {n: b.clone() for n, b in model.named_buffers() if "running" in n}}, args.out)
    shutdown()


if __name__ == "__main__":
    main()
