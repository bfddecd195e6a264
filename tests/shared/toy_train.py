"""A tiny but complete training run through the shared trainer, for tests that launch real processes.

    python tests/shared/toy_train.py --run-dir DIR [--set train.max_steps=40 ...] [--step-sleep 0.05]
Under `torchrun` it trains with DistributedDataParallel. Writes DIR/final_params.pt on rank 0.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from shared.config import apply_overrides  # noqa: E402
from shared.distributed import shutdown  # noqa: E402
from shared.optim import OptimConfig  # noqa: E402
from shared.rng import seed_everything  # noqa: E402
from shared.schedules import ScheduleConfig  # noqa: E402
from shared.trainer import Trainer, TrainerConfig  # noqa: E402


@dataclass
class ToyConfig:
    dropout: float = 0.1
    samples: int = 96
    train: TrainerConfig = field(
        default_factory=lambda: TrainerConfig(
            max_steps=30,
            batch_size=8,
            log_every=5,
            eval_every=10,
            ckpt_every=5,
            progress=False,
            optim=OptimConfig(lr=0.05, weight_decay=0.01),
            schedule=ScheduleConfig(name="cosine", warmup_steps=3),
        )
    )


class Regression(torch.utils.data.Dataset):
    def __init__(self, n: int) -> None:
        g = torch.Generator().manual_seed(1234)
        self.x = torch.randn(n, 6, generator=g)
        self.y = self.x @ torch.arange(1.0, 7.0) + 0.1 * torch.randn(n, generator=g)

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.x[i], self.y[i]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--run-dir", type=Path, required=True)
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--step-sleep", type=float, default=0.0, help="slow each step so a test can kill mid-run")
    args = parser.parse_args()
    cfg = apply_overrides(ToyConfig(), args.overrides)

    seed_everything(cfg.train.seed)
    model = torch.nn.Sequential(torch.nn.Linear(6, 16), torch.nn.Tanh(), torch.nn.Dropout(cfg.dropout), torch.nn.Linear(16, 1))
    data = Regression(cfg.samples)

    def loss_fn(m: torch.nn.Module, batch: tuple) -> tuple[torch.Tensor, dict]:
        if args.step_sleep:
            time.sleep(args.step_sleep)
        x, y = batch
        loss = torch.nn.functional.mse_loss(m(x).squeeze(-1), y)
        return loss, {"rmse": loss.detach().sqrt()}

    def evaluate(m: torch.nn.Module) -> dict:
        return {"mse": torch.nn.functional.mse_loss(m(data.x).squeeze(-1), data.y).item()}

    trainer = Trainer(model, cfg.train, data, loss_fn, args.run_dir, evaluate=evaluate, experiment_config=cfg)
    trainer.fit()
    if trainer.dist.is_main:
        torch.save({k: v.cpu() for k, v in model.state_dict().items()}, args.run_dir / "final_params.pt")
    shutdown()


if __name__ == "__main__":
    main()
