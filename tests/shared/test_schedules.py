"""Our schedules against fairseq's, which TNN and Transnormer were trained with."""

from __future__ import annotations

import math

import pytest
import torch

from shared.schedules import ScheduleConfig, build_scheduler, lr_multiplier
from tests.lr_schedules import fairseq_lrs, schedule_lrs


def ours(cfg: ScheduleConfig, lr: float, steps: int) -> list[float]:
    return schedule_lrs(cfg, lr, steps)


def test_inverse_sqrt_matches_fairseq() -> None:
    from fairseq.optim.lr_scheduler.inverse_square_root_schedule import InverseSquareRootSchedule

    ref = fairseq_lrs(InverseSquareRootSchedule, 200, lr=[5e-4], warmup_updates=40, warmup_init_lr=0.0)
    got = ours(ScheduleConfig(name="inverse_sqrt", warmup_steps=40), 5e-4, 200)
    assert got == pytest.approx(ref, rel=1e-9, abs=1e-15)


@pytest.mark.parametrize("name", ["inverse_sqrt", "cosine"])
def test_warmup_from_a_start_lr_matches_fairseq_warmup_init_lr(name: str) -> None:
    from fairseq.optim.lr_scheduler.cosine_lr_scheduler import CosineLRSchedule
    from fairseq.optim.lr_scheduler.inverse_square_root_schedule import InverseSquareRootSchedule

    if name == "inverse_sqrt":
        ref = fairseq_lrs(InverseSquareRootSchedule, 100, lr=[5e-4], warmup_updates=40, warmup_init_lr=1e-5)
    else:
        ref = fairseq_lrs(CosineLRSchedule, 100, lr=[5e-4], warmup_updates=40, warmup_init_lr=1e-5, min_lr=0.0,
                          max_lr=5e-4, t_mult=1.0, lr_period_updates=-1, lr_shrink=0.1, max_update=100)
    got = ours(ScheduleConfig(name=name, warmup_steps=40, warmup_start_ratio=1e-5 / 5e-4), 5e-4, 100)
    assert got[0] == pytest.approx(1e-5) and got == pytest.approx(ref, rel=1e-9, abs=1e-15)


def test_polynomial_decay_matches_fairseq() -> None:
    from fairseq.optim.lr_scheduler.polynomial_decay_schedule import PolynomialDecayLRSchedule

    ref = fairseq_lrs(PolynomialDecayLRSchedule, 100, lr=[1e-3], warmup_updates=10, end_learning_rate=1e-4,
                      power=2.0, total_num_update=100, force_anneal=None, zero_lr_warmup_steps=0)
    got = ours(ScheduleConfig(name="polynomial", warmup_steps=10, min_lr_ratio=0.1, power=2.0), 1e-3, 100)
    assert got == pytest.approx(ref, rel=1e-9, abs=1e-15)


def test_cosine_matches_fairseq() -> None:
    from fairseq.optim.lr_scheduler.cosine_lr_scheduler import CosineLRSchedule

    ref = fairseq_lrs(CosineLRSchedule, 120, lr=[1e-3], warmup_updates=20, warmup_init_lr=0.0, min_lr=1e-5,
                      max_lr=1e-3, t_mult=1.0, lr_period_updates=-1, lr_shrink=0.1, max_update=120)
    got = ours(ScheduleConfig(name="cosine", warmup_steps=20, min_lr_ratio=1e-2), 1e-3, 120)
    assert got == pytest.approx(ref, rel=1e-9, abs=1e-15)


def test_closed_forms() -> None:
    cos = ScheduleConfig(name="cosine", warmup_steps=10, min_lr_ratio=0.1)
    assert lr_multiplier(cos, 5, 110) == 0.5
    assert lr_multiplier(cos, 60, 110) == pytest.approx(0.55)
    assert lr_multiplier(cos, 110, 110) == pytest.approx(0.1)
    inv = ScheduleConfig(name="inverse_sqrt", warmup_steps=16)
    assert lr_multiplier(inv, 64, 1000) == pytest.approx(0.5)
    assert lr_multiplier(ScheduleConfig(name="constant"), 3, 10) == 1.0
    assert lr_multiplier(ScheduleConfig(name="linear"), 5, 10) == pytest.approx(0.5)
    assert math.isclose(lr_multiplier(ScheduleConfig(name="polynomial", power=2.0), 5, 10), 0.25)
    with pytest.raises(ValueError, match="warmup_steps must be in"):
        build_scheduler(torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0), ScheduleConfig(warmup_steps=20), 10)


def test_inverse_sqrt_without_warmup_decays_from_the_full_lr() -> None:
    """No warm-up: update s uses 1/sqrt(s) of the base LR; updates 0 and 1 use the full LR."""
    cfg = ScheduleConfig(name="inverse_sqrt", warmup_steps=0)
    got = [lr_multiplier(cfg, s, 1000) for s in (0, 1, 4, 16, 100)]
    assert got == pytest.approx([1.0, 1.0, 0.5, 0.25, 0.1], rel=1e-12)


def test_warmup_may_last_the_whole_run() -> None:
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=2.0)
    scheduler = build_scheduler(optimizer, ScheduleConfig(name="cosine", warmup_steps=8), 8)
    lrs = []
    for _ in range(8):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    assert lrs == pytest.approx([2.0 * s / 8 for s in range(8)])


def test_step_schedule_equals_torch_steplr() -> None:
    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=1.0)
    reference = torch.optim.lr_scheduler.StepLR(opt, step_size=7, gamma=0.3)
    cfg = ScheduleConfig(name="step", step_every=7, gamma=0.3)
    for step in range(30):
        assert lr_multiplier(cfg, step, 30) == pytest.approx(opt.param_groups[0]["lr"])
        opt.step()
        reference.step()
