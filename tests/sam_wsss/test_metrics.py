import json
import math
import os

import numpy as np
import pytest

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
