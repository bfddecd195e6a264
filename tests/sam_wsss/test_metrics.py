import json
import math
import os

import numpy as np
import pytest
import torch

from sam_wsss.metrics import confusion_matrix, mean_iou, scores

from .conftest import GOLDEN

SMALL = json.load(open(os.path.join(GOLDEN, "small.json")))
ARRAYS = np.load(os.path.join(GOLDEN, "small.npz"))


@pytest.mark.parametrize("case", list(SMALL["metrics"]))
def test_scores_match_the_original_evaluation(case):
    expected = SMALL["metrics"][case]
    gt, pred = ARRAYS[f"{case}_gt"], ARRAYS[f"{case}_pred"]
    ours = mean_iou(zip(gt, pred, strict=True), expected["n_class"])
    for key in ("miou", "pixel_accuracy", "mean_accuracy", "fw_iou"):
        assert ours[key] == pytest.approx(expected[key], abs=1e-12), key
    for a, b in zip(ours["class_iou"], expected["class_iou"], strict=True):
        assert (b is None and math.isnan(a)) or a == pytest.approx(b, abs=1e-12)


def test_ignore_pixels_never_count():
    gt = np.array([[1, 255], [0, 255]])
    pred = np.array([[1, 7], [0, 0]])  # 7 sits on ignore pixels only
    hist = confusion_matrix(gt, pred, 3)
    assert hist.sum() == 2
    assert scores(hist)["miou"] == 1.0


def test_all_wrong_is_zero_and_all_correct_is_one():
    gt = np.array([[0, 1], [2, 2]])
    assert mean_iou([(gt, gt)], 3)["miou"] == 1.0
    assert mean_iou([(gt, (gt + 1) % 3)], 3)["miou"] == 0.0


def test_a_class_only_predicted_lowers_others_but_is_not_averaged():
    gt = np.zeros((4, 4), int)
    pred = gt.copy()
    pred[0] = 2
    result = mean_iou([(gt, pred)], 3)
    assert result["miou"] == pytest.approx(12 / 16)  # background alone is averaged: 12 / (16 + 12 - 12)
    assert result["class_iou"][2] == 0.0


def test_empty_ground_truth_gives_nan_not_an_error():
    gt = np.full((3, 3), 255)
    assert math.isnan(mean_iou([(gt, np.zeros_like(gt))], 21)["miou"])


def test_bad_inputs_are_named():
    with pytest.raises(ValueError, match="pixels"):
        confusion_matrix(np.zeros(4), np.zeros(5), 3)
    with pytest.raises(ValueError, match="outside 0..2"):
        confusion_matrix(np.zeros(4), np.full(4, 9), 3)


def _only_predicted_case():
    gt = np.array([[0, 0, 1, 1], [0, 0, 1, 1], [255, 0, 1, 1]])
    pred = np.array([[0, 2, 1, 1], [0, 0, 1, 0], [2, 0, 1, 1]])  # class 2 predicted, never in the ground truth
    return gt, pred


def test_a_class_only_predicted_is_left_out_by_the_original_rule_and_counts_under_mmseg():
    gt, pred = _only_predicted_case()
    # class 0: 4 right of 5 gt and 5 predicted -> 4/6; class 1: 5 of 6 gt, 5 predicted -> 5/6; class 2: 0/1
    original, mmseg = mean_iou([(gt, pred)], 3), mean_iou([(gt, pred)], 3, rule="mmseg")
    assert original["miou"] == pytest.approx((4 / 6 + 5 / 6) / 2) and original["miou_rule"] == "original"
    assert mmseg["miou"] == pytest.approx((4 / 6 + 5 / 6 + 0) / 3) and mmseg["miou_rule"] == "mmseg"
    with pytest.raises(ValueError, match="mIoU rule 'x' unknown"):
        mean_iou([(gt, pred)], 3, rule="x")


def test_mmseg_rule_equals_mmsegmentations_iou_metric():
    from mmseg.evaluation import IoUMetric

    rng = np.random.default_rng(0)
    pairs = []
    for _ in range(3):
        gt = rng.integers(0, 4, (12, 9))
        gt[0] = 255
        pairs.append((gt, rng.integers(0, 5, (12, 9))))  # class 4 is never in the ground truth
    metric = IoUMetric(iou_metrics=["mIoU"])
    metric.dataset_meta = dict(classes=tuple("abcde"))
    results = [metric.intersect_and_union(torch.from_numpy(p), torch.from_numpy(g), 5, 255) for g, p in pairs]
    expected = metric.compute_metrics(results)["mIoU"]  # percent, rounded to 2 decimals
    assert 100 * mean_iou(pairs, 5, rule="mmseg")["miou"] == pytest.approx(expected, abs=0.005)
    assert 100 * mean_iou(pairs, 5)["miou"] != pytest.approx(expected, abs=0.5)


def test_missing_prediction_is_skipped_by_the_original_rule_and_an_error_under_mmseg(tmp_path):
    from sam_wsss.evaluate import evaluate_dirs
    from sam_wsss.label_map import save_label_png

    gt, pred = _only_predicted_case()
    gt = np.where(gt == 255, 0, gt).astype(np.uint8)
    (tmp_path / "gt").mkdir()
    (tmp_path / "pred").mkdir()
    for name in ("a", "b"):
        save_label_png(gt, tmp_path / "gt" / f"{name}.png")
    save_label_png(pred.astype(np.uint8), tmp_path / "pred" / "a.png")  # b has no prediction
    result = evaluate_dirs(tmp_path / "pred", lambda i: tmp_path / "gt" / f"{i}.png", ["a", "b"], 3)
    alone = mean_iou([(gt, pred)], 3)
    assert result["miou"] == alone["miou"] and result["missing"] == 1 and result["missing_ids"] == ["b"]
    with pytest.raises(FileNotFoundError, match="b.png: prediction missing"):
        evaluate_dirs(tmp_path / "pred", lambda i: tmp_path / "gt" / f"{i}.png", ["a", "b"], 3, rule="mmseg")
