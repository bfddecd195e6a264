"""Training end to end on generated data: the run folder, resume, evaluation from a checkpoint, and learning."""

from __future__ import annotations

import dataclasses
import json

import pytest

from avsbench import evaluate
from avsbench.train import run


def test_run_folder_resume_and_checkpoint_evaluation(tmp_path, data_root, smoke_config):
    cfg = smoke_config(data_root, max_steps=2, ckpt_every=1)
    results = run(cfg, tmp_path / "run")
    saved = json.loads((tmp_path / "run" / "results.json").read_text())
    assert saved["metric"] == "miou" and saved["ours"] == results["miou"] and saved["step"] == 2
    assert 0.0 <= saved["f_score"] <= 1.0
    assert len(list((tmp_path / "run" / "pred_masks").rglob("*.png"))) == cfg.data.generate_clips[2] * 5
    assert (tmp_path / "run" / "config.json").is_file() and (tmp_path / "run" / "metrics.jsonl").is_file()
    again = run(dataclasses.replace(cfg, train=dataclasses.replace(cfg.train, max_steps=3)), tmp_path / "run")
    assert again["step"] == 3  # continued from the step-2 checkpoint
    scores = evaluate.evaluate_run(tmp_path / "run", "test", "last")
    assert scores["miou"] == pytest.approx(again["miou"], abs=1e-6)
