"""The paper configs carry the original's recipe (supernet-S.yml, supnet.yml, subnet-S.yml)."""

from __future__ import annotations

import pytest

from nas_efficient.configs._common import SUBNET_S, cifar10_subnet, cifar10_supernet
from nas_efficient.model import count_parameters
from tests.lr_schedules import fairseq_lrs, schedule_lrs


def test_supernet_recipe() -> None:
    t = cifar10_supernet().train
    assert (t.batch_size, t.optim.name, t.optim.betas, t.optim.weight_decay, t.optim.lr) == (256, "adam", (0.9, 0.998),
                                                                                            0.05, 1e-3)
    assert (t.max_steps, t.schedule.warmup_steps, t.precision, t.find_unused_parameters) == (140_000, 976, "fp32", True)
    # the cosine floor is fairseq's --lr (1e-6 in supernet-S.yml), not --min-lr (a stopping threshold)
    assert t.optim.lr * t.schedule.min_lr_ratio == pytest.approx(1e-6)


@pytest.mark.parametrize("config", [cifar10_supernet, cifar10_subnet])
def test_schedule_equals_fairseqs_cosine_with_the_yml_flags(config) -> None:
    """supernet-S.yml and supnet.yml: lr-scheduler cosine, warmup-updates 976, warmup-init-lr 1e-6, max-lr 1e-3,
    lr 1e-6, max-update 140000; every update's LR (fairseq 0.12 names the yml's max-lr `lr` and its lr `min-lr`)."""
    from fairseq.optim.lr_scheduler.cosine_lr_scheduler import CosineLRSchedule

    t = config().train
    theirs = fairseq_lrs(CosineLRSchedule, t.max_steps, lr=[1e-3], min_lr=1e-6, warmup_init_lr=1e-6, warmup_updates=976,
                         max_update=140_000, t_mult=1.0, lr_period_updates=-1, lr_shrink=0.1)
    got = schedule_lrs(t.schedule, t.optim.lr, t.max_steps)
    assert got[0] == pytest.approx(1e-6) and got[976] == pytest.approx(1e-3)
    assert got == pytest.approx(theirs, rel=1e-9, abs=1e-15)


def test_subnet_retraining_recipe_is_supnet_yml() -> None:
    cfg = cifar10_subnet()
    t = cfg.train
    assert cfg.mode == "subnet" and cfg.space == cifar10_supernet().space
    assert (t.batch_size, t.optim.betas, t.optim.weight_decay, t.optim.lr, t.max_steps) == (64, (0.9, 0.999), 0.05,
                                                                                            1e-3, 140_000)
    assert (t.precision, t.find_unused_parameters) == ("fp32", False)
    # subnet-S.yml, 22,336,906 parameters by the original's count (see test_golden_supernet.py)
    assert count_parameters(cfg.model, cfg.space, SUBNET_S.to_arch()) == 22_336_906
