from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from shared.config import load_config
from shared.optim import OptimConfig
from shared.rng import seed_everything
from shared.schedules import ScheduleConfig
from shared.trainer import Trainer, TrainerConfig


class Pairs(torch.utils.data.Dataset):
    def __init__(self, n: int = 64) -> None:
        g = torch.Generator().manual_seed(0)
        self.x = torch.randn(n, 4, generator=g)
        self.y = (self.x.sum(-1) > 0).long()

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, i: int):
        return {"x": self.x[i], "y": self.y[i]}


def loss_fn(model, batch):
    logits = model(batch["x"])
    return torch.nn.functional.cross_entropy(logits, batch["y"]), {"acc": (logits.argmax(-1) == batch["y"]).float().mean()}


def fit(tmp_path: Path, name: str, **overrides) -> tuple[torch.nn.Module, dict, Trainer]:
    seed_everything(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 32), torch.nn.ReLU(), torch.nn.Linear(32, 2))
    data = Pairs()
    settings = dict(max_steps=24, batch_size=16, log_every=4, ckpt_every=12, progress=False,
                    optim=OptimConfig(lr=0.05), schedule=ScheduleConfig(name="linear", warmup_steps=2))
    cfg = TrainerConfig(**{**settings, **overrides})

    def evaluate(m):
        return {"accuracy": (m(data.x).argmax(-1) == data.y).float().mean()}

    trainer = Trainer(model, cfg, data, loss_fn, tmp_path / name, evaluate=evaluate, experiment_config=cfg)
    return model, trainer.fit(), trainer


@pytest.mark.parametrize("optimizer", ["sgd", "adamw"])
def test_gradient_accumulation_matches_one_big_batch(tmp_path: Path, optimizer: str) -> None:
    # SGD's update is proportional to the gradient, so an accumulated gradient off by any factor shows at
    # once; Adam's is nearly scale-invariant and checks the rest of the step
    optim = OptimConfig(name=optimizer, lr=0.05, momentum=0.0)
    a, _, _ = fit(tmp_path, f"one-{optimizer}", optim=optim)
    b, _, _ = fit(tmp_path, f"accum-{optimizer}", grad_accum=4, optim=optim)
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        torch.testing.assert_close(pb, pa, rtol=1e-5, atol=1e-6)
    losses = [[r["loss"] for r in map(json.loads, (tmp_path / name / "metrics.jsonl").read_text().splitlines())
               if r["split"] == "train"] for name in (f"one-{optimizer}", f"accum-{optimizer}")]
    assert losses[1] == pytest.approx(losses[0], rel=1e-5), "the logged loss is the mean over the micro-batches"


def test_run_folder_contents_and_learning(tmp_path: Path) -> None:
    _, final, _ = fit(tmp_path, "run", clip_grad_norm=1.0, eval_every=8)
    run = tmp_path / "run"
    assert final["accuracy"] > 0.85, "a linearly separable toy problem must be learned"
    assert json.loads((run / "results.json").read_text()) == {"step": 24, **final}
    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    train = [r for r in records if r["split"] == "train"]
    assert [r["step"] for r in train] == [4, 8, 12, 16, 20, 24]
    assert all("grad_norm" in r and "lr" in r and "acc" in r for r in train)
    assert [r["step"] for r in records if r["split"] == "eval"] == [8, 16, 24]
    assert any((run / "tb").glob("events.out.tfevents.*"))
    assert load_config(run / "config.json").clip_grad_norm == 1.0
    assert [p.name for p in sorted((run / "checkpoints").iterdir())] == ["step_00000012.pt", "step_00000024.pt"]


def test_resume_of_a_finished_run_changes_nothing(tmp_path: Path) -> None:
    first, final, _ = fit(tmp_path, "run")
    again, final_again, trainer = fit(tmp_path, "run")
    assert trainer.step == 24 and final_again == final
    for pa, pb in zip(first.parameters(), again.parameters(), strict=True):
        assert torch.equal(pa, pb)


@pytest.mark.parametrize("precision", ["bf16", "fp16"])
def test_mixed_precision_trains(tmp_path: Path, precision: str) -> None:
    _, final, trainer = fit(tmp_path, precision, precision=precision)
    assert final["accuracy"] > 0.85
    assert trainer.scaler.is_enabled() == (precision == "fp16")


def test_learning_rate_follows_the_schedule(tmp_path: Path) -> None:
    _, _, trainer = fit(tmp_path, "lr", max_steps=10, log_every=1)
    lrs = [json.loads(line)["lr"] for line in (tmp_path / "lr" / "metrics.jsonl").read_text().splitlines() if '"train"' in line]
    expected = [0.0, 0.025] + [0.05 * (1 - (s - 2) / 8) for s in range(2, 10)]
    assert lrs == pytest.approx(expected)


def test_fresh_start_refuses_to_mix_with_an_earlier_run(tmp_path: Path) -> None:
    _, _, trainer = fit(tmp_path, "run", max_steps=4)
    with pytest.raises(FileExistsError, match="already holds checkpoints of an earlier run"):
        trainer.fit(resume=False)


def test_compiled_model_trains_and_checkpoints_plain_weights(tmp_path: Path) -> None:
    model, final, _ = fit(tmp_path, "compiled", compile=True, max_steps=8, log_every=8)
    assert final["accuracy"] > 0.7
    saved = torch.load(tmp_path / "compiled" / "checkpoints" / "step_00000008.pt", weights_only=False)["model"]
    assert set(saved) == set(model.state_dict()), "checkpoints hold the plain module's keys, not torch.compile's"


def test_sgd_nesterov_is_passed_to_torch() -> None:
    from shared.optim import OptimConfig, build_optimizer

    model = torch.nn.Linear(2, 2)
    assert build_optimizer(model, OptimConfig(name="sgd", nesterov=True)).defaults["nesterov"] is True
    assert build_optimizer(model, OptimConfig(name="sgd")).defaults["nesterov"] is False
