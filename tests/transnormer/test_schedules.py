"""The LM configs' schedules, update by update, against fairseq's schedulers with train_alm.sh's and
train_blm.sh's flags (the configs on the shared trainer run the scripts' experiment)."""

from __future__ import annotations

import pytest

from shared.config import load_config
from tests.lr_schedules import fairseq_lrs, schedule_lrs


@pytest.mark.parametrize("variant", ["t1", "t2"])
def test_alm_warms_up_from_fairseqs_warmup_init_lr(variant: str) -> None:
    """--lr 5e-4 --lr-scheduler inverse_sqrt --warmup-updates 8000 --warmup-init-lr 1e-07."""
    from fairseq.optim.lr_scheduler.inverse_square_root_schedule import InverseSquareRootSchedule

    t = load_config(f"transnormer/configs/wikitext103_alm_{variant}.py").train
    steps = t.schedule.warmup_steps + 200
    theirs = fairseq_lrs(InverseSquareRootSchedule, steps, lr=[5e-4], warmup_updates=8000, warmup_init_lr=1e-7)
    got = schedule_lrs(t.schedule, t.optim.lr, steps, t.max_steps)
    assert got[0] == pytest.approx(1e-7, rel=1e-9)
    assert got == pytest.approx(theirs, rel=1e-9, abs=1e-15)


@pytest.mark.parametrize("variant", ["t1", "t2"])
def test_blm_polynomial_decay_equals_fairseqs(variant: str) -> None:
    """--lr 5e-4 --lr-scheduler polynomial_decay --warmup-updates 3000 --total-num-update 50000 (end LR 0):
    fairseq's first update runs at LR 0 (its trainer steps the scheduler to update 0 before training)."""
    from fairseq.optim.lr_scheduler.polynomial_decay_schedule import PolynomialDecayLRSchedule

    t = load_config(f"transnormer/configs/wikitext103_blm_{variant}.py").train
    theirs = fairseq_lrs(PolynomialDecayLRSchedule, t.max_steps, lr=[5e-4], warmup_updates=3000,
                         end_learning_rate=0.0, total_num_update=50_000, power=1.0, force_anneal=None)
    got = schedule_lrs(t.schedule, t.optim.lr, t.max_steps)
    assert got[0] == 0.0 and max(got) == pytest.approx(5e-4)
    assert got == pytest.approx(theirs, rel=1e-9, abs=1e-15)
