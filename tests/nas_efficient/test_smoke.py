"""The profiles of `python -m nas_efficient.reproduce` end to end: smoke (digits) and dryrun (shrunk)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nas_efficient.reproduce import cli

SHRUNK = '''
from dataclasses import replace

from nas_efficient.config import SearchSpace, SupernetConfig
from nas_efficient.configs._common import {factory}


def get_config():
    cfg = {factory}()
    return replace(cfg, space=SearchSpace([16, 24], [1, 2], [32, 48], [1, 2], ["cosformer", "softmax"]),
                   model=SupernetConfig(image_size=32, patch_size=8, head_dim=8),
                   arch=replace(cfg.arch, embed_dim=16, ffn_dims=[32], heads=[1], attention=["softmax"]))
'''


def test_smoke_pipeline_searches_and_beats_random_subnetworks(tmp_path) -> None:
    results = cli(["--profile", "smoke", "--out", str(tmp_path), "--max-steps", "200", "--task", "cifar10"])
    assert results["metric"] == "accuracy"
    assert results["ours"] > results["majority_baseline"] + 0.5  # it learned
    assert results["ours"] >= results["baseline"]  # the searched network is no worse than random ones
    assert (tmp_path / "search" / "pareto.png").stat().st_size > 0
    assert "| cost | accuracy | arch |" in (tmp_path / "search" / "pareto.md").read_text()
    best = json.loads((tmp_path / "search" / "best_arch.json").read_text())
    assert best == results["searched_arch"]
    assert "| network | test_accuracy | parameters |" in (tmp_path / "results.md").read_text()


def test_dryrun_wiring_on_shrunk_configs(tmp_path: Path) -> None:
    """The dryrun path (generated CIFAR-10 batches, supernet, search under both constraints, retraining,
    measurement rows) with tiny configs in place of the paper's."""
    configs = {}
    for factory in ("cifar10_supernet", "cifar10_subnet"):
        configs[factory] = tmp_path / f"{factory}.py"
        configs[factory].write_text(SHRUNK.format(factory=factory))
    out = tmp_path / "run"
    results = cli(["--profile", "dryrun", "--out", str(out), "--max-steps", "2",
                   "--supernet-config", str(configs["cifar10_supernet"]),
                   "--subnet-config", str(configs["cifar10_subnet"])])
    assert (out / "data" / "cifar10" / "cifar-10-batches-py" / "test_batch").is_file()
    assert [r["experiment"] for r in results["rows"]] == ["cifar10 supernet (224 px, mixed attention)",
                                                           "cifar10 retrain searched sub-network"]
    assert all(r["step_time_s"] > 0 and r["recipe_steps"] == 140_000 for r in results["rows"])
    searched = results["rows"][1]
    assert searched["parameters"] == searched["parameters_reference"]
    assert json.loads((out / "results.json").read_text())["profile"] == "dryrun"
    assert len(results["networks"]) == 2  # the searched and one random sub-network


def test_full_profile_stops_with_the_prepare_command_without_cifar10(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("REPRO_DATA", str(tmp_path / "data"))  # the harness moves the data root through it
    with pytest.raises(SystemExit) as stop:
        cli(["--profile", "full", "--out", str(tmp_path / "run"), "--data-root", str(tmp_path / "data")])
    assert stop.value.code == 2
    message = capsys.readouterr().err
    assert "cifar10/cifar-10-batches-py/data_batch_1" in message
    assert "python -m nas_efficient.prepare --dataset cifar10" in message
