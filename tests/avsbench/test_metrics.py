"""jaccard / f_score against values of the original utility.py (mask_iou, Eval_Fmeasure) on the same inputs."""

from __future__ import annotations

import pytest
import torch

from avsbench.metrics import f_score, jaccard

CASES = ("random_with_empty", "all_correct", "all_wrong", "all_empty_gt", "saturated")


@pytest.mark.parametrize("case", CASES)
def test_metrics_match_original(golden, case):
    g = golden("metrics.pt")[case]
    probs = torch.sigmoid(g["logits"])
    assert jaccard(probs, g["target"]).item() == pytest.approx(g["miou"], abs=1e-6)
    assert f_score(probs, g["target"]) == pytest.approx(g["fscore"], abs=1e-6)


def test_edge_values_by_hand():
    target = torch.zeros(2, 4, 4)
    target[0, :2] = 1
    perfect = target.clone()
    assert jaccard(perfect, target).item() == pytest.approx(1.0)  # frame 1: empty gt, empty pred -> background IoU 1
    inverted = 1 - target
    assert jaccard(inverted, target).item() == pytest.approx(0.0)
    assert f_score(torch.zeros(2, 4, 4), torch.zeros(2, 4, 4)) == 0.0  # every frame skipped


def test_shape_errors_name_the_shapes():
    with pytest.raises(ValueError, match=r"\(N, H, W\)"):
        jaccard(torch.zeros(2, 3), torch.zeros(2, 3))
