"""Generated data in WikiText-103's layout, and the training loss on a generated batch (tests, smoke, dryrun)."""

from __future__ import annotations

import random
from pathlib import Path

import torch

from transnormer.data import SPLITS


def generate_corpus(root: str | Path, num_words: int = 64, lines: tuple[int, int, int] = (1200, 60, 60),
                    seed: int = 0) -> Path:
    """Write wiki.{train,valid,test}.tokens: headings and paragraphs from a sparse Markov chain
    (each word has three likely successors), so a model that learns the transitions beats the
    unigram baseline by a wide margin."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    words = [f"w{i:03d}" for i in range(num_words)]
    successors = {w: rng.sample(words, 3) for w in words}

    def paragraph() -> str:
        w = rng.choice(words)
        out = [w]
        for _ in range(rng.randint(10, 40)):
            w = rng.choice(successors[w]) if rng.random() < 0.95 else rng.choice(words)
            out.append(w)
        return " " + " ".join(out) + " . "

    for split, count in zip(SPLITS, lines, strict=True):
        rows = []
        for i in range(count):
            if i % 20 == 0:
                rows += ["", f" = {rng.choice(words)} {rng.choice(words)} = ", ""]
            rows.append(paragraph())
        (root / f"wiki.{split}.tokens").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return root


def generate_wide_corpus(root: str | Path, num_words: int, tokens_per_split: dict[str, int], seed: int = 0) -> Path:
    """wiki.{train,valid,test}.tokens whose train split holds every one of `num_words` distinct words, so that
    fairseq-preprocess builds a dictionary of the paper's size (WikiText-103: 267,735 words + 4 specials, padded
    to 267,744). Random words, lines of 10 to 40; for runs at the paper's shapes (dryrun), not to learn."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(num_words)]
    for split in SPLITS:
        order = list(words) if split == "train" else []
        while len(order) < tokens_per_split[split]:
            order.append(rng.choice(words))
        lines, i = [], 0
        while i < len(order):
            n = rng.randint(10, 40)
            lines.append(" " + " ".join(order[i:i + n]) + " ")
            i += n
        (root / f"wiki.{split}.tokens").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def example_loss(model: torch.nn.Module, cfg, device: torch.device) -> torch.Tensor:
    """The training loss of `cfg`'s experiment on one generated batch at its real shapes, inputs made on
    `device`: next-token (ALM) or masked-token (BLM) cross-entropy, or LRA classification cross-entropy."""
    from shared.lm import IGNORE, lm_loss
    from transnormer.config import LMExperiment

    model.train()
    if isinstance(cfg, LMExperiment):
        n, vocab = cfg.data.tokens_per_sample, cfg.model.vocab_size
        tokens = torch.randint(4, vocab, (2, n + 1), device=device)
        if cfg.task == "alm":
            return lm_loss(model, {"tokens": tokens[:, :-1], "target": tokens[:, 1:]})[0]
        chosen = torch.rand(2, n, device=device) < cfg.data.mask_prob
        target = torch.where(chosen, tokens[:, :n], torch.full_like(tokens[:, :n], IGNORE))
        return lm_loss(model, {"tokens": tokens[:, :n], "target": target})[0]
    from shared.lra.train import example_loss as lra_example_loss

    return lra_example_loss(model, cfg.data, device)
