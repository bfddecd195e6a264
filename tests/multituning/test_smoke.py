"""The smoke profile end to end: it learns, AMF does not lose to standard fine-tuning, and a run re-evaluates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from multituning.evaluate import evaluate_run
from multituning.reproduce import main


def test_smoke_profile_learns_and_amf_keeps_up_with_standard_finetuning(tmp_path: Path) -> None:
    main(["--profile", "smoke", "--out", str(tmp_path)])
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["metric"] == "accuracy"
    assert results["baseline"] < 0.1  # 13 balanced classes: the majority class is right 1 time in 13
    assert results["standard_finetune"] > results["baseline"] + 0.5
    assert results["ours"] >= results["standard_finetune"]  # AMF must not lose to standard fine-tuning
    for name in ("standard", "freeze_low", "l2sp"):
        assert 0.0 < results[f"mean_weight_{name}"] < 1.0 and f"accuracy_{name}" in results
    assert (tmp_path / "results.md").is_file() and (tmp_path / "results.png").is_file()
    # the policy stage's checkpoint alone rebuilds the same model
    again = evaluate_run(tmp_path / "run")
    assert again["amf_accuracy"] == pytest.approx(results["ours"])
