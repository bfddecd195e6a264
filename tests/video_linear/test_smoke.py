"""The smoke profile end to end: generated videos, training, multi-view test, results.json. It must learn
motion: the video model clearly beats the same model trained on single frames."""

import json
from pathlib import Path

import pytest

from shared.checkpoint import latest_checkpoint
from video_linear.evaluate import main as evaluate
from video_linear.reproduce import main


def test_smoke_learns_motion(tmp_path):
    assert main(["--profile", "smoke", "--out", str(tmp_path)]) == 0
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["metric"] == "top1_acc"
    assert results["ours"] >= 70.0, results
    assert results["ours"] >= results["baseline"] + 30.0, results
    assert (tmp_path / "results.md").is_file() and (tmp_path / "video" / "metrics.jsonl").is_file()

    # the evaluation entry point recomputes the same multi-view accuracy from the saved checkpoint
    out = tmp_path / "eval.json"
    config = Path(__file__).resolve().parents[2] / "video_linear" / "configs" / "smoke.py"
    assert evaluate(["--config", str(config), "--checkpoint",
                     str(latest_checkpoint(tmp_path / "video" / "checkpoints")),
                     "--set", f"data.root={tmp_path / 'data'}", "--out", str(out)]) == 0
    assert json.loads(out.read_text())["top1_acc"] == pytest.approx(results["ours"], abs=1e-6)
