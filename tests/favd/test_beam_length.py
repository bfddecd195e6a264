"""Beam search's length normalisation decides between a short and a long paragraph end.

A toy scorer (probabilities chosen by hand) offers two endings after [CLS]:
    x (0.55) then [SEP] (0.9)                 -> [CLS] x [SEP],         sum of log-probabilities -0.703
    y (0.45) then y (0.9), y (0.9), [SEP] (0.9) -> [CLS] y y y [SEP], sum -1.115
The original's hypothesis score is sum / len(hypothesis) ** length_penalty, the hypothesis holding [CLS] and the
words but not [SEP]: with length_penalty 1 the long one wins (-0.279 against -0.351), with 0.5 or 0 the short one
(greedy takes the short one too). Any change to the normalisation moves the scores or the winner.
"""

import math

import pytest
import torch

from favd.model import _beam_search, _greedy

PAD, CLS, SEP, X, Y, Z = range(6)
TINY = 1e-6  # every other word, so each row is a distribution


def distribution(ids: list[int]) -> list[float]:
    last, ys = ids[-1], ids.count(Y)
    p = {CLS: {X: 0.55, Y: 0.45}, X: {SEP: 0.9, Z: 0.1}, Z: {SEP: 0.99, Z: 0.01}}.get(last)
    if last == Y:
        p = {Y: 0.9, SEP: 0.1} if ys < 3 else {SEP: 0.9, Y: 0.1}
    row = [p.get(w, TINY) for w in range(6)]
    total = sum(row)
    return [v / total for v in row]


def next_logits(ids: torch.Tensor) -> torch.Tensor:
    return torch.tensor([distribution(row) for row in ids.tolist()]).log()


def log_p(seq: list[int]) -> float:
    """Sum of log-probabilities of the words after [CLS], [SEP] included."""
    return sum(math.log(distribution(seq[:i])[seq[i]]) for i in range(1, len(seq)))


def beam(length_penalty: float, beams: int = 2, max_length: int = 8) -> tuple[list[int], float]:
    start = torch.full((beams, 1), CLS)
    ids, score = _beam_search(next_logits, start, 1, beams, max_length, SEP, PAD, length_penalty)
    return ids[0].tolist(), score[0].item()


SHORT = [CLS, X, SEP]
LONG = [CLS, Y, Y, Y, SEP]


def padded(seq: list[int], max_length: int = 8) -> list[int]:
    return seq + [PAD] * (max_length - len(seq))


def test_length_penalty_one_prefers_the_long_ending() -> None:
    ids, score = beam(1.0)
    assert ids == padded(LONG)
    assert score == pytest.approx(log_p(LONG) / 4, rel=1e-5)  # 4 = [CLS] y y y
    assert log_p(LONG) / 4 > log_p(SHORT) / 2 + 0.05  # a clear margin, so the test is not a near tie


@pytest.mark.parametrize("length_penalty", [0.0, 0.5])
def test_weaker_length_penalty_prefers_the_short_ending(length_penalty: float) -> None:
    ids, score = beam(length_penalty)
    assert ids == padded(SHORT)
    assert score == pytest.approx(log_p(SHORT) / 2**length_penalty, rel=1e-5)


def test_greedy_takes_the_short_ending() -> None:
    ids, mean_logprob = _greedy(next_logits, torch.tensor([[CLS]]), 8, SEP, PAD)
    assert ids[0].tolist() == padded(SHORT)
    assert mean_logprob[0].item() == pytest.approx(log_p(SHORT) / 2, rel=1e-5)
