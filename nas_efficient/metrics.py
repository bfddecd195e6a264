"""The paper's metrics: top-1 accuracy (CIFAR-10) and BLEU (WMT'14 En-De).

accuracy: fairseq's classification criterion counts argmax == target over the set (mixFormer
`fairseq/criterions/label_smoothed_cross_entropy.py`, `ncorrect / nsentences`).
BLEU: corpus BLEU with sacrebleu's defaults (13a tokenisation, exponential smoothing off), as the
paper reports sacrebleu scores.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch


def accuracy(logits_or_predictions: torch.Tensor, labels: torch.Tensor) -> float:
    """Top-1 accuracy over a set: logits (N, C) or predicted classes (N,) against labels (N,)."""
    preds = logits_or_predictions.argmax(-1) if logits_or_predictions.ndim == 2 else logits_or_predictions
    if preds.shape != labels.shape:
        raise ValueError(f"predictions {tuple(preds.shape)} and labels {tuple(labels.shape)} differ in shape")
    if len(labels) == 0:
        raise ValueError("accuracy of an empty set is undefined")
    return (preds == labels).float().mean().item()


def bleu(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    """Corpus BLEU (0-100) of detokenised hypotheses against one reference each."""
    import sacrebleu

    if len(hypotheses) != len(references):
        raise ValueError(f"{len(hypotheses)} hypotheses but {len(references)} references")
    return sacrebleu.corpus_bleu(list(hypotheses), [list(references)]).score
