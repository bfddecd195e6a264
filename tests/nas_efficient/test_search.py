"""The search's constraints: the cost budget AND the original's 25M parameter limit (search_cifar_mix.sh)."""

from __future__ import annotations

import csv
import json

from nas_efficient.arch import Arch
from nas_efficient.config import EvolutionConfig, SearchOptions
from nas_efficient.configs._common import SUBNET_S, cifar10_supernet
from nas_efficient.model import count_parameters
from nas_efficient.search import feasibility, search
from nas_efficient.train import main as train_main


def test_the_size_limit_rejects_what_the_cost_budget_allows() -> None:
    cfg = cifar10_supernet()
    feasible = feasibility(cfg, lambda a: 0.0, budget=1.0, max_parameters=25_000_000)
    largest, subnet_s = cfg.space.largest(), SUBNET_S.to_arch()
    assert count_parameters(cfg.model, cfg.space, largest) > 25_000_000 and not feasible(largest)
    assert count_parameters(cfg.model, cfg.space, subnet_s) < 25_000_000 and feasible(subnet_s)
    assert not feasibility(cfg, lambda a: 2.0, budget=1.0, max_parameters=25_000_000)(subnet_s)  # cost still binds
    assert feasibility(cfg, lambda a: 0.0, budget=1.0, max_parameters=0)(largest)  # 0: no size limit


def test_every_candidate_of_a_search_meets_the_size_limit(tmp_path) -> None:
    run = tmp_path / "supernet"
    train_main(["--config", "nas_efficient/configs/smoke.py", "--run-dir", str(run), "--set", "train.max_steps=2",
                "--set", "train.schedule.warmup_steps=0"])
    limit = 6000  # the smoke space's sub-networks have about 1.5k to 20k parameters (the original's count)
    summary = search(run, tmp_path / "search", SearchOptions("flops", 1e12, limit, latency_samples=4,
                                                             latency_repeats=1),
                     EvolutionConfig(3, 12, 4, 4, 4), progress=False)
    with (tmp_path / "search" / "candidates.csv").open() as f:
        sizes = [int(r["parameters"]) for r in csv.DictReader(f)]
    assert sizes and max(sizes) <= limit
    assert summary["best_parameters"] <= limit and summary["max_parameters"] == limit
    best = Arch(**json.loads((tmp_path / "search" / "best_arch.json").read_text()))
    assert best.to_json() == Arch(**summary["best_arch"]).to_json()
