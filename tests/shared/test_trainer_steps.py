"""What one optimizer update of the trainer does (clipping, mixed precision), and what it carries across
epochs and across a resume (the data order, the fp16 loss scale, a damaged newest checkpoint)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch

from shared import checkpoint as ckpt
from shared.optim import OptimConfig
from shared.rng import seed_everything
from shared.schedules import ScheduleConfig
from shared.trainer import Trainer, TrainerConfig


class Numbered(torch.utils.data.Dataset):
    """A separable toy problem whose samples carry their index, so a test can see which ones a step used."""

    def __init__(self, n: int = 64) -> None:
        g = torch.Generator().manual_seed(0)
        self.x = torch.randn(n, 4, generator=g)
        self.y = (self.x.sum(-1) > 0).long()

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, i: int) -> dict:
        return {"x": self.x[i], "y": self.y[i], "i": i}


def cross_entropy(model: torch.nn.Module, batch: dict) -> torch.Tensor:
    return torch.nn.functional.cross_entropy(model(batch["x"]).float(), batch["y"])


def make_trainer(run_dir: Path, loss_fn=cross_entropy, evaluate=None, **overrides) -> Trainer:
    seed_everything(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 32), torch.nn.ReLU(), torch.nn.Linear(32, 2))
    settings = dict(max_steps=8, batch_size=16, log_every=1, ckpt_every=4, progress=False,
                    optim=OptimConfig(name="sgd", lr=1.0, momentum=0.0), schedule=ScheduleConfig(name="constant"))
    return Trainer(model, TrainerConfig(**{**settings, **overrides}), Numbered(), loss_fn, run_dir, evaluate=evaluate)


def first_update(run_dir: Path, precision: str, clip: float | None) -> torch.Tensor:
    """The change of all parameters, flattened, made by the first update (plain SGD, LR 1)."""
    trainer = make_trainer(run_dir, max_steps=1, precision=precision, clip_grad_norm=clip)
    start = torch.cat([p.detach().flatten().clone() for p in trainer.model.parameters()])
    trainer.fit()
    return torch.cat([p.detach().flatten() for p in trainer.model.parameters()]) - start


@pytest.mark.parametrize("precision", ["fp32", "fp16"])
def test_clipping_limits_the_update_to_the_given_norm(tmp_path: Path, precision: str) -> None:
    """With fp16 the gradients are clipped after the loss scale is taken off them, so the norm is the true one."""
    free = first_update(tmp_path / "free", precision, clip=None)
    clipped = first_update(tmp_path / "clipped", precision, clip=0.01)
    assert free.norm() > 0.1, "the toy gradient must be well above the clipping norm"
    assert clipped.norm().item() == pytest.approx(0.01, rel=1e-3)
    assert torch.nn.functional.cosine_similarity(clipped, free, dim=0) > 0.999, "clipping keeps the direction"


@pytest.mark.parametrize(("precision", "dtype"), [("fp32", torch.float32), ("bf16", torch.bfloat16), ("fp16", torch.float16)])
def test_forward_runs_in_the_configured_precision(tmp_path: Path, precision: str, dtype: torch.dtype) -> None:
    seen: dict[str, set] = {"train": set(), "eval": set()}

    def loss_fn(model, batch):
        logits = model(batch["x"])
        seen["train"].add(logits.dtype)
        return torch.nn.functional.cross_entropy(logits.float(), batch["y"])

    def evaluate(model):
        data = Numbered()
        seen["eval"].add(model(data.x.to(next(model.parameters()).device)).dtype)
        return {"n": len(data)}

    make_trainer(tmp_path, loss_fn, evaluate, max_steps=2, precision=precision, optim=OptimConfig(lr=1e-3)).fit()
    assert seen == {"train": {dtype}, "eval": {dtype}}


def test_every_epoch_sees_every_sample_once_in_a_new_order(tmp_path: Path) -> None:
    order: list[int] = []

    def loss_fn(model, batch):
        order.extend(batch["i"].tolist())
        return cross_entropy(model, batch)

    make_trainer(tmp_path, loss_fn, max_steps=12, optim=OptimConfig(lr=1e-3)).fit()  # 4 updates an epoch
    epochs = [order[k * 64 : (k + 1) * 64] for k in range(3)]
    assert all(sorted(e) == list(range(64)) for e in epochs)
    assert epochs[0] != epochs[1] and epochs[1] != epochs[2] and epochs[0] != epochs[2], "reshuffled each epoch"


def poisoned(model, batch):
    """An overflowing loss whenever sample 0 is in the batch (once an epoch): GradScaler halves its scale."""
    loss = cross_entropy(model, batch)
    return loss * torch.where((batch["i"] == 0).any(), math.inf, 1.0)


def lose_last_checkpoint_and_resume(run_dir: Path, loss_fn, **settings) -> Trainer:
    """Resume `run_dir` (finished at step 24) as if it had been killed after its step-12 checkpoint."""
    ckpt.checkpoint_path(run_dir / "checkpoints", 24).unlink(missing_ok=True)
    return resume(run_dir, loss_fn, **settings)


def resume(run_dir: Path, loss_fn, **settings) -> Trainer:
    """Continue a 24-update run from its newest usable checkpoint, which must be step 12's."""
    calls = []

    def counted(model, batch):
        calls.append(1)
        return loss_fn(model, batch)

    trainer = make_trainer(run_dir, counted, **settings)
    trainer.fit()
    assert len(calls) == 12, "the run continued from step 12"
    return trainer


def test_resumed_fp16_run_keeps_its_loss_scale(tmp_path: Path) -> None:
    """24 updates, 6 epochs, 6 overflows: the scale ends at 2**16 / 2**6 whether or not the run was resumed."""
    settings = dict(max_steps=24, ckpt_every=12, precision="fp16", optim=OptimConfig(lr=1e-3))
    whole = make_trainer(tmp_path, poisoned, **settings)
    whole.fit()
    assert whole.scaler.get_scale() == 2.0**10
    resumed = lose_last_checkpoint_and_resume(tmp_path, poisoned, **settings)
    assert resumed.scaler.state_dict() == whole.scaler.state_dict()
    for a, b in zip(whole.model.parameters(), resumed.model.parameters(), strict=True):
        assert torch.equal(a, b)


def test_resume_skips_a_damaged_newest_checkpoint(tmp_path: Path, capsys) -> None:
    settings = dict(max_steps=24, ckpt_every=12, optim=OptimConfig(lr=0.05))
    whole = make_trainer(tmp_path, **settings)
    whole.fit()
    newest = ckpt.checkpoint_path(tmp_path / "checkpoints", 24)
    newest.write_bytes(newest.read_bytes()[:1000])  # a copy cut short
    capsys.readouterr()
    resumed = resume(tmp_path, cross_entropy, **settings)
    err = capsys.readouterr().err
    assert f"skipping checkpoint {newest}: truncated" in err and "using step_00000012.pt instead" in err
    for a, b in zip(whole.model.parameters(), resumed.model.parameters(), strict=True):
        assert torch.equal(a, b), "steps 13-24 were trained again from step 12"
    assert ckpt.checkpoint_problem(newest) is None, "the damaged file was replaced by a complete one"
