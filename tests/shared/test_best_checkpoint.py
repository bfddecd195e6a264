"""Checkpoint selection in the shared trainer: the best evaluation is kept as checkpoints/best.pt,
results.json reports it beside the last step's metrics, and a resumed run keeps the same best."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from shared.optim import OptimConfig
from shared.rng import seed_everything
from shared.schedules import ScheduleConfig
from shared.selection import BEST_FILE, BestSelector
from shared.trainer import Trainer, TrainerConfig

# the selection metric at each evaluation: it peaks at step 6, ties the peak at step 10, ends lower
PEAKED = {2: 0.3, 4: 0.5, 6: 0.9, 8: 0.7, 10: 0.9, 12: 0.4}


class Interrupted(Exception):
    pass


class Pairs(torch.utils.data.Dataset):
    def __init__(self, n: int = 48) -> None:
        g = torch.Generator().manual_seed(3)
        self.x = torch.randn(n, 4, generator=g)
        self.y = self.x @ torch.tensor([1.0, -2.0, 0.5, 3.0])

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.x[i], self.y[i]


def train(run_dir: Path, scores: dict[int, float] = PEAKED, stop_at: int | None = None, **overrides) -> Trainer:
    """12 steps, evaluated every 2; `stop_at`: raise inside that step, as a killed run stops."""
    seed_everything(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))
    data = Pairs()
    settings = dict(max_steps=12, batch_size=8, eval_every=2, ckpt_every=2, keep_checkpoints=20, log_every=2,
                    progress=False, select_metric="score", select_split="val", select_mode="max",
                    optim=OptimConfig(lr=0.02), schedule=ScheduleConfig(name="constant"))
    cfg = TrainerConfig(**{**settings, **overrides})
    trainer: Trainer | None = None

    def loss_fn(m: torch.nn.Module, batch: tuple) -> torch.Tensor:
        if stop_at is not None and trainer.step + 1 == stop_at:
            raise Interrupted
        x, y = batch
        return torch.nn.functional.mse_loss(m(x).squeeze(-1), y)

    def evaluate(m: torch.nn.Module) -> dict[str, float]:
        mse = torch.nn.functional.mse_loss(m(data.x).squeeze(-1), data.y).item()
        return {"score": scores[trainer.step], "neg_score": -scores[trainer.step], "mse": mse}

    trainer = Trainer(model, cfg, data, loss_fn, run_dir, evaluate=evaluate)
    if stop_at is None:
        trainer.fit()
    else:
        with pytest.raises(Interrupted):
            trainer.fit()
    return trainer


def results(run_dir: Path) -> dict:
    return json.loads((run_dir / "results.json").read_text())


def weights(path: Path) -> dict[str, torch.Tensor]:
    return torch.load(path, weights_only=False)["model"]


def eval_records(run_dir: Path) -> dict[int, dict]:
    lines = (run_dir / "metrics.jsonl").read_text().splitlines()
    return {r["step"]: r for r in map(json.loads, lines) if r["split"] == "eval"}


@pytest.mark.parametrize(("mode", "metric"), [("max", "score"), ("min", "neg_score")])
def test_the_peak_mid_run_is_kept_as_best_and_the_last_is_reported(tmp_path: Path, mode: str, metric: str) -> None:
    run = tmp_path / mode
    train(run, select_mode=mode, select_metric=metric)
    out = results(run)
    # the last checkpoint's metrics, as before
    assert out["step"] == 12 and out["score"] == 0.4
    # the best: step 6, not the tie at step 10 (a strict improvement is needed) nor the last
    assert out["best_step"] == 6 and out["best_value"] == PEAKED[6] * (1 if mode == "max" else -1)
    assert (out["select_metric"], out["select_mode"], out["select_split"]) == (metric, mode, "val")
    assert out["best_metrics"]["mse"] == pytest.approx(eval_records(run)[6]["mse"], rel=1e-6)
    best = run / "checkpoints" / BEST_FILE
    assert torch.load(best, weights_only=False)["best"]["step"] == 6
    at_6, at_12 = weights(run / "checkpoints" / "step_00000006.pt"), weights(run / "checkpoints" / "step_00000012.pt")
    saved = weights(best)
    assert all(torch.equal(saved[k], at_6[k]) for k in at_6), "best.pt holds the weights of step 6"
    assert any(not torch.equal(saved[k], at_12[k]) for k in at_12)


def test_resume_after_a_kill_keeps_the_same_best(tmp_path: Path) -> None:
    train(tmp_path / "ref")
    # killed during step 10: the newest checkpoint (step 8) already records step 6 as the best
    train(tmp_path / "cut", stop_at=10, ckpt_every=4)
    assert torch.load(tmp_path / "cut" / "checkpoints" / BEST_FILE, weights_only=False)["best"]["step"] == 6
    train(tmp_path / "cut", ckpt_every=4)
    ref, cut = results(tmp_path / "ref"), results(tmp_path / "cut")
    assert cut["best_step"] == 6 and cut == ref
    saved, reference = weights(tmp_path / "cut" / "checkpoints" / BEST_FILE), weights(tmp_path / "ref" / "checkpoints" / BEST_FILE)
    assert all(torch.equal(saved[k], reference[k]) for k in reference)


def test_a_best_written_after_the_last_checkpoint_stays_consistent_with_its_record(tmp_path: Path) -> None:
    """Killed after the best at step 6 was saved, before the checkpoint at step 8: the resumed run redoes
    step 6 and (as a GPU may) measures it lower than the checkpoint's best; the file and the record
    must still describe the same model."""
    run = tmp_path / "cut"
    train(run, stop_at=7, ckpt_every=4)
    killed = torch.load(run / "checkpoints" / BEST_FILE, weights_only=False)
    assert killed["best"]["step"] == 6
    # no later evaluation beats the checkpoint's best (step 4, 0.5), so nothing rewrites best.pt
    train(run, scores={**PEAKED, 6: 0.45, 8: 0.45, 10: 0.45}, ckpt_every=4)
    out = results(run)
    kept = torch.load(run / "checkpoints" / BEST_FILE, weights_only=False)
    assert (out["best_step"], out["best_value"]) == (kept["best"]["step"], kept["best"]["value"]) == (6, 0.9)
    assert all(torch.equal(kept["model"][k], v) for k, v in killed["model"].items())


def test_selection_settings_are_checked(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="needs train.select_split"):
        train(tmp_path / "a", select_split="")
    with pytest.raises(KeyError, match=r"select_metric='miou' is not among the evaluation's metrics \(mse, neg_score, score\)"):
        train(tmp_path / "b", select_metric="miou")
    seed_everything(0)
    with pytest.raises(ValueError, match="needs an evaluate function"):
        Trainer(torch.nn.Linear(4, 1), TrainerConfig(select_metric="score", select_split="val"), Pairs(),
                lambda m, b: m(b[0]).sum(), tmp_path / "c")


@pytest.mark.parametrize(("ties", "mode", "best_step"), [("earlier", "max", 2), ("later", "max", 5),
                                                         ("earlier", "min", 1), ("later", "min", 4)])
def test_a_tie_keeps_the_earlier_or_the_later_step(ties: str, mode: str, best_step: int) -> None:
    selector = BestSelector("acc", mode, "val", ties)
    for step, value in enumerate([0.5, 0.7, 0.6, 0.5, 0.7], start=1):
        selector.update(step, {"acc": value})
    assert selector.best.step == best_step  # max: 0.7 at steps 2 and 5; min: 0.5 at steps 1 and 4
