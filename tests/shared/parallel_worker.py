"""One global batch through a BatchNorm model with a contrastive loss, on 1 process or under torchrun.

    python tests/shared/parallel_worker.py OUT.pt [--no-sync]        (or under torchrun --nproc_per_node=2)
Each process takes its rank's share of the same global batch, as the trainer's sampler does. Rank 0
writes OUT.pt: per step the loss (averaged over processes), the gradients after DDP's averaging, the
BatchNorm running statistics; then the same model trained by the shared Trainer with
sync_batchnorm=true and checkpoint selection: its logged losses, final weights and buffers, results.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from shared.distributed import init_distributed, mean_over_processes, shutdown  # noqa: E402
from shared.norms import TokenBatchNorm  # noqa: E402
from shared.optim import OptimConfig  # noqa: E402
from shared.parallel import all_gather_with_grad, convert_sync_batchnorm  # noqa: E402
from shared.rng import seed_everything  # noqa: E402
from shared.runlog import read_metrics  # noqa: E402
from shared.schedules import ScheduleConfig  # noqa: E402
from shared.trainer import Trainer, TrainerConfig  # noqa: E402

GLOBAL_BATCH = 8


class TwoTower(torch.nn.Module):
    """An image tower (conv, BatchNorm2d) and an audio tower (linear, TokenBatchNorm over frames) into one space."""

    def __init__(self) -> None:
        super().__init__()
        self.image = torch.nn.Sequential(
            torch.nn.Conv2d(3, 8, 3, padding=1, bias=False), torch.nn.BatchNorm2d(8), torch.nn.ReLU(),
            torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(8, 6))
        # audio as (batch, frames, features) tokens: BatchNorm over the channels of every frame (TokenBatchNorm)
        self.audio = torch.nn.Sequential(torch.nn.Linear(10, 12, bias=False), TokenBatchNorm(12), torch.nn.Tanh())
        self.audio_head = torch.nn.Linear(12, 6)

    def forward(self, img: torch.Tensor, aud: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return F.normalize(self.image(img), dim=-1), F.normalize(self.audio_head(self.audio(aud).mean(1)), dim=-1)


class Clips(torch.utils.data.Dataset):
    def __init__(self, n: int) -> None:
        g = torch.Generator().manual_seed(7)
        # offsets and scales far from BatchNorm's identity, so per-share statistics differ from the batch's
        self.img = 2.0 + 3.0 * torch.randn(n, 3, 5, 5, generator=g)
        self.aud = torch.randn(n, 4, 10, generator=g) * torch.linspace(0.5, 4.0, 10) - 1.5
        self.target = torch.randn(n, generator=g)

    def __len__(self) -> int:
        return len(self.img)

    def __getitem__(self, i: int) -> dict:
        return {"img": self.img[i], "aud": self.aud[i], "target": self.target[i]}


def loss_terms(model: torch.nn.Module, batch: dict) -> tuple[torch.Tensor, dict]:
    """Symmetric InfoNCE over the whole global batch, plus a per-sample term over this process's share."""
    zi, za = model(batch["img"], batch["aud"])
    gi, ga = all_gather_with_grad(zi), all_gather_with_grad(za)
    logits = gi @ ga.t() / 0.2
    labels = torch.arange(len(logits))
    contrastive = F.cross_entropy(logits, labels) + F.cross_entropy(logits.t(), labels)
    local = F.mse_loss((zi * za).sum(-1), batch["target"])
    return contrastive + local, {"contrastive": contrastive.detach(), "local": local.detach()}


def share(batch: dict, rank: int, world: int) -> dict:
    m = GLOBAL_BATCH // world
    return {k: v[rank * m : (rank + 1) * m] for k, v in batch.items()}


def direct_steps(sync: bool) -> list[dict]:
    """Two SGD steps on two global batches with DDP (when distributed) and SyncBN (when `sync`)."""
    dist = init_distributed("cpu")
    seed_everything(0)
    model = TwoTower()
    if sync and dist.distributed:
        model = convert_sync_batchnorm(model)
    forward = torch.nn.parallel.DistributedDataParallel(model) if dist.distributed else model
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    data = Clips(2 * GLOBAL_BATCH)
    steps = []
    for step in range(2):
        batch = {k: v[step * GLOBAL_BATCH : (step + 1) * GLOBAL_BATCH] for k, v in
                 {"img": data.img, "aud": data.aud, "target": data.target}.items()}
        loss, terms = loss_terms(forward, share(batch, dist.rank, dist.world_size))
        optimizer.zero_grad()
        loss.backward()
        logged = mean_over_processes({"loss": loss.item(), **{k: v.item() for k, v in terms.items()}}, dist.device)
        steps.append({
            "logged": logged,
            "grads": {n: p.grad.clone() for n, p in model.named_parameters()},
            "buffers": {n: b.clone() for n, b in model.named_buffers()},
        })
        optimizer.step()
    return steps


def trainer_run(run_dir: Path) -> dict:
    seed_everything(0)
    model = TwoTower()
    cfg = TrainerConfig(max_steps=6, batch_size=GLOBAL_BATCH, log_every=1, ckpt_every=100, progress=False, device="cpu",
                        shuffle=True, sync_batchnorm=True, optim=OptimConfig(name="sgd", lr=0.3, weight_decay=0.0),
                        schedule=ScheduleConfig(name="constant"), eval_every=2, select_metric="alignment",
                        select_split="train")
    data = Clips(4 * GLOBAL_BATCH)

    def evaluate(m: torch.nn.Module) -> dict[str, float]:
        zi, za = m(data.img, data.aud)
        return {"alignment": (zi * za).sum(-1).mean().item()}

    trainer = Trainer(model, cfg, data, loss_terms, run_dir, evaluate=evaluate)
    trainer.fit(resume=False)
    losses = [r["loss"] for r in read_metrics(run_dir) if r["split"] == "train"]
    results = json.loads((run_dir / "results.json").read_text()) if trainer.dist.is_main else {}
    return {"losses": losses, "state": {k: v.clone() for k, v in model.state_dict().items()}, "results": results}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    torch.set_num_threads(1)
    out = {"synced": direct_steps(sync=True), "unsynced": direct_steps(sync=False)}
    out["trainer"] = trainer_run(args.out.parent / f"{args.out.stem}_run")
    if init_distributed("cpu").is_main:
        torch.save(out, args.out)
    shutdown()


if __name__ == "__main__":
    main()
