"""Accuracy metrics on values worked out by hand, including the edge cases."""

from __future__ import annotations

import pytest
import torch

from multituning.evaluate import fusion_metrics, majority_baseline, read_predictions
from multituning.metrics import mean_class_accuracy, oracle_accuracy, top1_accuracy


def test_top1_and_class_mean() -> None:
    target = torch.tensor([0, 0, 0, 1])
    pred = torch.tensor([0, 0, 1, 0])
    assert top1_accuracy(pred, target) == pytest.approx(0.5)
    assert mean_class_accuracy(pred, target) == pytest.approx((2 / 3 + 0) / 2)  # classes weigh equally
    assert top1_accuracy(target, target) == 1.0 and mean_class_accuracy(target, target) == 1.0
    assert top1_accuracy(1 - target, target) == 0.0 and mean_class_accuracy(1 - target, target) == 0.0
    # a class predicted but absent from the targets does not count as a class
    assert mean_class_accuracy(torch.tensor([5, 1]), torch.tensor([0, 1])) == pytest.approx(0.5)


def test_empty_and_mismatched_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        top1_accuracy(torch.tensor([]), torch.tensor([]))
    with pytest.raises(ValueError, match="same length"):
        mean_class_accuracy(torch.tensor([1, 2]), torch.tensor([1]))


def test_oracle_counts_samples_any_member_gets_right() -> None:
    preds = torch.tensor([[0, 1, 1], [1, 1, 0]])  # K=2, n=3
    assert oracle_accuracy(preds, torch.tensor([0, 0, 0])) == pytest.approx(2 / 3)


def test_fusion_metrics_by_hand() -> None:
    # sample 0: member a right, b wrong; sample 1: the reverse. The policy picks the right one each time.
    logits = torch.tensor([[[3.0, 0.0], [0.0, 3.0]], [[3.0, 0.0], [0.0, 3.0]]])
    labels = torch.tensor([0, 1])
    weights = torch.tensor([[0.9, 0.1], [0.1, 0.9]])
    m = fusion_metrics(logits, weights, labels, ["a", "b"], "prob", standard="a")
    assert m["amf_accuracy"] == 1.0 and m["accuracy_a"] == 0.5 and m["accuracy_b"] == 0.5
    assert m["oracle_accuracy"] == 1.0 and m["best_single_accuracy"] == 0.5
    assert m["mean_weight_a"] == pytest.approx(0.5)
    assert m["uniform_fusion_accuracy"] == 0.5  # a tie: argmax takes the first class


def test_majority_baseline_and_prediction_files(tmp_path) -> None:
    assert majority_baseline(torch.tensor([2, 1, 1, 2]), torch.tensor([1, 1, 0])) == (1, pytest.approx(2 / 3))
    path = tmp_path / "preds.csv"
    path.write_text("label,prediction\n3,3\n1,0\n")
    preds, labels = read_predictions(path)
    assert preds.tolist() == [3, 0] and labels.tolist() == [3, 1]
    path.write_text("3;3\n")
    with pytest.raises(ValueError, match="preds.csv:1: expected 'label,prediction'"):
        read_predictions(path)


def test_mean_and_sample_standard_deviation_over_seeds() -> None:
    from multituning.metrics import mean_sd, seed_summary

    summary = mean_sd([0.87, 0.88, 0.89])
    assert summary["mean"] == pytest.approx(0.88) and summary["sd"] == pytest.approx(0.01)  # n - 1 in the divisor
    assert summary["n"] == 3 and mean_sd([0.5])["sd"] == 0.0
    runs = [{"amf_accuracy": a, "standard_finetune": s} for a, s in ((0.9, 0.8), (0.92, 0.86))]
    out = seed_summary(runs, ("amf_accuracy", "standard_finetune"))
    assert out["standard_finetune"]["sd"] == pytest.approx(0.06 / 2 ** 0.5) and out["amf_accuracy"]["mean"] == 0.91
    with pytest.raises(ValueError, match="no values"):
        mean_sd([])


def test_stratified_holdout_keeps_every_class_on_both_sides() -> None:
    import torch

    from multituning.data import stratified_holdout

    labels = torch.tensor([0] * 20 + [1] * 10 + [2] * 2 + [3])
    kept, held = stratified_holdout(labels, 0.1)
    assert sorted(labels[held].tolist()) == [0, 0, 1, 2]  # 10 % per class, at least one of a class with two
    assert set(kept.tolist()).isdisjoint(held.tolist()) and len(kept) + len(held) == len(labels)
    assert 3 in labels[kept].tolist()  # a class with one image stays with the members
    assert torch.equal(stratified_holdout(labels, 0.1)[1], held)  # the same split every time
