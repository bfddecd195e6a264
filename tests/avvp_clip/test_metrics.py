"""parse_scores and friends against the original utils/eval_metrics.py (golden values) and edge cases."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import GOLDEN

from avvp_clip.metrics import extract_events, parse_scores, per_video_scores, segment_predictions

KEYS = ("audio", "visual", "av", "type_av", "event_av")


def golden():
    return np.load(GOLDEN / "metrics.npz")


def test_per_video_scores_equal_the_original_segment_and_event_level() -> None:
    g = golden()
    scores = per_video_scores(g["pred_audio"], g["pred_visual"], g["gt_audio"], g["gt_visual"])
    np.testing.assert_allclose(scores["segment"], g["segment_level"], atol=1e-12, rtol=0)
    np.testing.assert_allclose(scores["event"], g["event_level"], atol=1e-12, rtol=0)


def test_parse_scores_averages_as_main_avvp() -> None:
    g = golden()
    out = parse_scores(g["pred_audio"], g["pred_visual"], g["gt_audio"], g["gt_visual"])
    for level, prefix in (("segment_level", "seg"), ("event_level", "event")):
        f_a, f_v, f, f_av = (100 * g[level][:, i].mean() for i in range(4))
        assert out[f"{prefix}_audio"] == pytest.approx(f_a, abs=1e-9)
        assert out[f"{prefix}_visual"] == pytest.approx(f_v, abs=1e-9)
        assert out[f"{prefix}_av"] == pytest.approx(f_av, abs=1e-9)
        assert out[f"{prefix}_event_av"] == pytest.approx(f, abs=1e-9)
        assert out[f"{prefix}_type_av"] == pytest.approx((f_av + f_a + f_v) / 3, abs=1e-9)


def test_the_golden_set_holds_the_edge_cases() -> None:
    g = golden()
    # case 0: all true negatives -> 1.0; case 1: all correct -> 1.0; case 2: all wrong -> 0.0
    np.testing.assert_array_equal(g["segment_level"][0], 1.0)
    np.testing.assert_array_equal(g["segment_level"][1], 1.0)
    np.testing.assert_array_equal(g["event_level"][1], 1.0)
    np.testing.assert_array_equal(g["segment_level"][2], 0.0)
    np.testing.assert_array_equal(g["event_level"][2], 0.0)


def one_class(pred: list[int], gt: list[int]) -> np.ndarray:
    p = np.zeros((25, 10), dtype=int)
    t = np.zeros((25, 10), dtype=int)
    p[4], t[4] = pred, gt
    return per_video_scores(p, p, t, t)["event"][0, 0]


def test_event_matching_uses_iou_at_least_one_half() -> None:
    gt = [0, 0, 1, 1, 1, 1, 0, 0, 0, 0]
    assert one_class([0, 0, 1, 1, 0, 0, 0, 0, 0, 0], gt) == 1.0  # IoU 2/4 = 0.5: a match
    assert one_class([0, 1, 1, 0, 0, 0, 0, 0, 0, 0], gt) == 0.0  # IoU 1/5: FP and FN
    # one prediction over two ground-truth events: IoU 3/7 and 2/7, no match
    assert one_class([1] * 7 + [0] * 3, [1, 1, 1, 0, 0, 1, 1, 0, 0, 0]) == 0.0
    # predictions [0, 3) (IoU 3/9: FP) and [4, 9) (IoU 5/9: TP) on one event [0, 9): F = 2 / (2 + 1)
    assert one_class([1, 1, 1, 0, 1, 1, 1, 1, 1, 0], [1, 1, 1, 1, 1, 1, 1, 1, 1, 0]) == pytest.approx(2 / 3)


def test_extract_events_runs() -> None:
    start, end, valid = extract_events(np.array([[1, 0, 1, 1, 0, 0, 0, 0, 1, 1]]))
    assert start[0][valid[0]].tolist() == [0, 2, 8]
    assert end[0][valid[0]].tolist() == [1, 4, 10]
    _, _, valid = extract_events(np.ones((2, 10), dtype=int))
    assert valid.sum() == 2


def test_segment_predictions_filter_by_the_video_level_prediction() -> None:
    frame = np.full((1, 10, 2, 25), 0.7)
    video = np.zeros((1, 25))
    video[0, 3] = 0.5
    audio, visual = segment_predictions(frame, video)
    assert audio.shape == (1, 25, 10) and audio.sum() == 10 and audio[0, 3].all() and visual[0, 3].all()


def test_bad_inputs_are_named() -> None:
    z = np.zeros((2, 25, 10), dtype=int)
    with pytest.raises(ValueError, match="pred_visual: expected only 0/1"):
        parse_scores(z, z + 2, z, z)
    with pytest.raises(ValueError, match="share one shape"):
        parse_scores(z, z[:1], z, z)
