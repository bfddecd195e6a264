"""One global batch of 8 clips through a small FNAC model, on 1 process or under torchrun.

    python tests/fnac_avl/parallel_worker.py OUT.pt [--no-gather]     (or under torchrun --nproc_per_node=2)
The model has BatchNorm in both ResNet-18 trunks and trains with every FNAC term (after warmup); BatchNorm is
synchronised and the loss's features gathered as the paper configs do (`train.sync_batchnorm`,
`loss.gather_negatives`). Dropout is 0 here: its masks are drawn per process. Each process takes its rank's share
of the batch; rank 0 writes OUT.pt: the loss terms averaged over processes, the gradients after DDP's
averaging, the BatchNorm running statistics.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from fnac_avl.config import ModelConfig  # noqa: E402
from fnac_avl.configs._common import paper_config  # noqa: E402
from fnac_avl.losses import training_loss  # noqa: E402
from fnac_avl.model import build_model  # noqa: E402
from shared.distributed import init_distributed, mean_over_processes, shutdown  # noqa: E402
from shared.parallel import convert_sync_batchnorm  # noqa: E402
from shared.rng import seed_everything  # noqa: E402

BATCH = 8


def config(gather: bool):
    cfg = paper_config("flickr_10k", "flickr")
    return dataclasses.replace(
        cfg, model=ModelConfig(embed_dim=16, image_widths=(4, 4, 8, 8), audio_widths=(4, 4, 8, 8), dropout_img=0.0),
        loss=dataclasses.replace(cfg.loss, gather_negatives=gather))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--no-gather", action="store_true")
    args = parser.parse_args()
    dist = init_distributed("cpu")
    cfg = config(not args.no_gather)
    seed_everything(0)
    model = build_model(cfg)
    model.train()
    if dist.distributed and cfg.train.sync_batchnorm:
        model = convert_sync_batchnorm(model)
    forward = (torch.nn.parallel.DistributedDataParallel(model, find_unused_parameters=cfg.train.find_unused_parameters)
               if dist.distributed else model)
    g = torch.Generator().manual_seed(3)
    full = {"image": 1.0 + 2.0 * torch.randn(BATCH, 3, 64, 64, generator=g),
            "spec": torch.randn(BATCH, 1, 257, 40, generator=g) - 1.0}
    share = BATCH // dist.world_size
    mine = {k: v[dist.rank * share: (dist.rank + 1) * share] for k, v in full.items()}
    loss, terms = training_loss(forward, mine, cfg, warmup=False)
    loss.backward()
    logged = mean_over_processes({"loss": loss.item(), **{k: v.item() for k, v in terms.items()}}, dist.device)
    if dist.rank == 0:
        torch.save({"logged": logged,
                    "grads": {n: p.grad.clone() for n, p in model.named_parameters()},
                    "buffers": {n: b.clone() for n, b in model.named_buffers() if "running" in n}}, args.out)
    shutdown()


if __name__ == "__main__":
    main()
