"""Language-modelling metrics, reduced as fairseq's evaluation code reduces them.

The paper reports perplexity from `fairseq-eval-lm` (fairseq_cli/eval_lm.py, function `eval_lm`):
positional log-probabilities that are +-inf are skipped, the rest are summed, the mean negative
log-likelihood is converted to base 2, and perplexity = 2 ** loss (loss 0, perplexity 1, when no
token was scored). Training-time perplexity comes from fairseq/utils.py `get_perplexity`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import torch

from shared.lm import perplexity as lm_perplexity


def eval_lm_loss(positional_scores: Iterable[torch.Tensor]) -> tuple[float, int]:
    """Base-2 mean NLL and the token count over log-probabilities (natural log), one tensor per
    sequence, as eval_lm accumulates `score_sum` and `count`."""
    score_sum, count = 0.0, 0
    for scores in positional_scores:
        scores = scores.float().reshape(-1)
        finite = scores[~torch.isinf(scores)]
        score_sum += float(finite.sum())
        count += finite.numel()
    loss = -score_sum / count / math.log(2) if count > 0 else 0.0
    return loss, count


def perplexity(positional_scores: Iterable[torch.Tensor]) -> float:
    """eval_lm's perplexity: 2 ** (base-2 mean NLL)."""
    loss, _ = eval_lm_loss(positional_scores)
    return 2**loss


def get_perplexity(loss: float | None, round_to: int = 2, base: float = 2) -> float:
    """fairseq.utils.get_perplexity: base ** loss rounded, inf on overflow, 0 for a missing loss."""
    if loss is None:
        return 0.0
    try:
        return round(base**loss, round_to)
    except OverflowError:
        return float("inf")


# 2 ** (mean NLL in bits) from a summed NLL in nats; 1.0 when nothing was scored, as eval_lm
perplexity_from_nll = lm_perplexity
