"""Perplexity reduced as fairseq-eval-lm (fairseq_cli/eval_lm.py) and fairseq.utils.get_perplexity do."""

import math

import pytest
import torch

from transnormer.metrics import eval_lm_loss, get_perplexity, perplexity, perplexity_from_nll


def test_perplexity_is_two_to_the_base2_loss_over_all_tokens() -> None:
    scores = [torch.log(torch.tensor([0.5, 0.25])), torch.log(torch.tensor([0.125]))]
    loss, count = eval_lm_loss(scores)
    assert count == 3
    assert loss == pytest.approx((1 + 2 + 3) / 3)  # bits per token
    assert perplexity(scores) == pytest.approx(4.0)


def test_infinite_scores_are_skipped_as_eval_lm_does() -> None:
    scores = [torch.tensor([math.log(0.5), float("-inf"), math.log(0.5)])]
    assert eval_lm_loss(scores) == (pytest.approx(1.0), 2)
    assert perplexity(scores) == pytest.approx(2.0)


def test_edge_cases_all_correct_and_empty() -> None:
    assert perplexity([torch.zeros(5)]) == 1.0  # every token predicted with probability 1
    assert eval_lm_loss([torch.zeros(0)]) == (0.0, 0)  # nothing scored: loss 0, perplexity 1
    assert perplexity([]) == 1.0
    assert perplexity_from_nll(0.0, 0) == 1.0


def test_all_wrong_is_large_and_uniform_is_vocab_size() -> None:
    v = 1000
    assert perplexity([torch.full((7,), -math.log(v))]) == pytest.approx(v)
    assert perplexity_from_nll(7 * math.log(v), 7) == pytest.approx(v)
    assert perplexity_from_nll(1e6, 1) == float("inf")


def test_get_perplexity_matches_fairseq() -> None:
    from fairseq import utils

    for loss in (None, 0.0, 3.3219, 4.75, 2000.0):
        assert get_perplexity(loss) == utils.get_perplexity(loss)
