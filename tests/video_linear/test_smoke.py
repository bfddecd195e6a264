"""The smoke profile end to end: generated videos, training, multi-view test, results.json. It must learn
motion: the video model clearly beats the same model trained on single frames."""

import json

from video_linear.reproduce import main


def test_smoke_learns_motion(tmp_path):
    assert main(["--profile", "smoke", "--out", str(tmp_path)]) == 0
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["metric"] == "top1_acc"
    assert results["ours"] >= 70.0, results
    assert results["ours"] >= results["baseline"] + 30.0, results
    assert (tmp_path / "results.md").is_file() and (tmp_path / "video" / "metrics.jsonl").is_file()
