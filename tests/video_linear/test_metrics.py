"""Metrics against the values the original SlowFast code gave on the same inputs (golden/README.md)."""

from pathlib import Path

import numpy as np
import pytest
import torch

from video_linear.metrics import (
    ensemble_views,
    mean_average_precision,
    multiview_topk,
    topk_accuracies,
    topks_correct,
)

GOLDEN = torch.load(Path(__file__).parent / "golden" / "golden.pt")
PREDS, LABELS = GOLDEN["metrics/preds"], GOLDEN["metrics/labels"]
CLIP_LABELS = LABELS.repeat_interleave(12)


def test_clip_topk_matches_original():
    got = torch.stack(topks_correct(PREDS, CLIP_LABELS, [1, 5]))
    torch.testing.assert_close(got, GOLDEN["metrics/clip_topk"])


@pytest.mark.parametrize("method", ["sum", "max"])
def test_multiview_ensemble_matches_original(method):
    video_preds, video_labels = ensemble_views(PREDS, CLIP_LABELS, torch.arange(72), 6, 12, method)
    torch.testing.assert_close(video_preds, GOLDEN[f"metrics/{method}_video_preds"])
    assert torch.equal(video_labels, LABELS)
    top = multiview_topk(PREDS, CLIP_LABELS, torch.arange(72), 6, 12, method=method)
    # the original logs "%.2f" strings
    assert [top["top1_acc"], top["top5_acc"]] == pytest.approx(GOLDEN[f"metrics/{method}_top"].tolist(), abs=5e-3)


def test_charades_map_matches_original():
    clip_labels = GOLDEN["metrics/ml_labels"].repeat_interleave(12, 0)
    video_preds, video_labels = ensemble_views(GOLDEN["metrics/ml_preds"], clip_labels,
                                               torch.arange(72), 6, 12, "max", multi_label=True)
    got = mean_average_precision(video_preds.numpy(), video_labels.numpy())
    assert got == pytest.approx(float(GOLDEN["metrics/ml_map"]), abs=1e-6)


def test_edge_cases():
    labels = torch.tensor([0, 1, 2])
    assert [float(a) for a in topk_accuracies(torch.eye(3), labels, [1])] == [100.0]  # all correct
    wrong = torch.eye(3)[[1, 2, 0]]
    assert [float(a) for a in topk_accuracies(wrong, labels, [1, 3])] == [0.0, 100.0]  # all wrong at top-1
    # a class without positives is dropped; perfect ranking -> mAP 1
    assert mean_average_precision(np.array([[0.9, 0.1, 0.5], [0.1, 0.8, 0.5]]), np.array([[1, 0, 0], [0, 1, 0]])) == 1.0
    with pytest.raises(ValueError, match="rows"):
        topks_correct(torch.zeros(2, 3), torch.zeros(3, dtype=torch.long), [1])


def test_evaluate_from_prediction_file(tmp_path):
    from video_linear.evaluate import main

    torch.save({"preds": PREDS, "labels": CLIP_LABELS, "clip_ids": torch.arange(72)}, tmp_path / "p.pt")
    assert main(["--predictions", str(tmp_path / "p.pt"), "--num-clips", "12", "--out", str(tmp_path / "m.json")]) == 0
    import json

    got = json.loads((tmp_path / "m.json").read_text())
    assert [got["top1_acc"], got["top5_acc"]] == pytest.approx(GOLDEN["metrics/sum_top"].tolist(), abs=5e-3)
