"""Perplexity as fairseq reports it (the functions live in shared.lm, shared with transnormer).

fairseq-eval-lm (fairseq_cli/eval_lm.py, `eval_lm`) sums the log-probabilities of every target token
over the split, divides by the token count and by ln 2 (`avg_nll_loss`), and prints
`ppl = 2 ** avg_nll_loss` (fairseq/utils.py `get_perplexity`, base 2); fairseq-train logs the same
quantity from the cross-entropy criterion's summed loss. Both equal exp(mean NLL in nats).
"""

from __future__ import annotations

import math

from shared.lm import perplexity, token_nll, unigram_perplexity

__all__ = ["avg_nll_base2", "perplexity", "token_nll", "unigram_perplexity"]


def avg_nll_base2(nll_sum_nats: float, num_tokens: int) -> float:
    """fairseq's `loss` column: mean negative log-likelihood in bits per token."""
    if num_tokens <= 0:
        raise ValueError("avg_nll_base2: num_tokens must be positive (no target tokens were scored)")
    return nll_sum_nats / num_tokens / math.log(2)
