"""Perplexity as fairseq reports it.

fairseq-eval-lm (fairseq_cli/eval_lm.py, `eval_lm`) sums the log-probabilities of every target token
over the split, divides by the token count and by ln 2 (`avg_nll_loss`), and prints
`ppl = 2 ** avg_nll_loss` (fairseq/utils.py `get_perplexity`, base 2); fairseq-train logs the same
quantity from the cross-entropy criterion's summed loss. Both equal exp(mean NLL in nats).
"""

from __future__ import annotations

import math

import torch


def avg_nll_base2(nll_sum_nats: float, num_tokens: int) -> float:
    """fairseq's `loss` column: mean negative log-likelihood in bits per token."""
    if num_tokens <= 0:
        raise ValueError("avg_nll_base2: num_tokens must be positive (no target tokens were scored)")
    return nll_sum_nats / num_tokens / math.log(2)


def perplexity(nll_sum_nats: float, num_tokens: int) -> float:
    """2 ** (bits per token); inf when it overflows, as fairseq's get_perplexity."""
    try:
        return 2 ** avg_nll_base2(nll_sum_nats, num_tokens)
    except OverflowError:
        return float("inf")


def token_nll(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Summed NLL in nats of `target` (b, n) under `logits` (b, n, vocab), computed in fp32."""
    return torch.nn.functional.cross_entropy(logits.float().flatten(0, 1), target.flatten(), reduction="sum")


def unigram_perplexity(train: torch.Tensor, test: torch.Tensor, vocab_size: int) -> float:
    """The trivial baseline: add-one-smoothed unigram frequencies of train, scored on test's targets."""
    counts = torch.bincount(train, minlength=vocab_size).double() + 1.0
    logp = (counts / counts.sum()).log()
    targets = test[1:]
    return perplexity(float(-logp[targets].sum()), targets.numel())
