"""Scoring generated paragraphs: the caption metrics, EntityScore, and the constant-description baseline."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from favd.metrics import HashWordEncoder, LexiconNouns, T5WordEncoder, caption_metrics, entity_score, nltk_nouns


@dataclass
class EvalConfig:
    meteor: bool = True  # METEOR runs Java (about 5 s a call)
    entity_nouns: str = "nltk"  # "nltk" (the original's tagger) or "lexicon" (a fixed noun list, generated data)
    entity_lexicon: tuple[str, ...] = ()
    t5_dir: str = "models/t5-base"  # local t5-base folder; "" -> a hashed stand-in encoder (not the paper's T5)


def entity_tools(cfg: EvalConfig):
    if cfg.entity_nouns == "nltk":
        extract = nltk_nouns
    elif cfg.entity_nouns == "lexicon":
        extract = LexiconNouns(cfg.entity_lexicon)
    else:
        raise ValueError(f"eval.entity_nouns: expected 'nltk' or 'lexicon', got {cfg.entity_nouns!r}")
    if cfg.t5_dir and not Path(cfg.t5_dir).is_dir():
        raise FileNotFoundError(f"eval.t5_dir: {cfg.t5_dir} is not a folder (expected a local t5-base: config.json, "
                                "model weights, tokenizer files); '' uses the hashed stand-in encoder")
    encode = T5WordEncoder(cfg.t5_dir) if cfg.t5_dir else HashWordEncoder()
    return extract, encode


def score_predictions(predictions: dict[str, str], references: dict[str, str | list[str]], cfg: EvalConfig
                      ) -> dict[str, float]:
    """Caption metrics over all references of a clip; EntityScore against its first reference (the original
    keeps one reference paragraph per clip)."""
    refs = {k: [v] if isinstance(v, str) else list(v) for k, v in references.items()}
    extract, encode = entity_tools(cfg)  # first: a missing T5 folder fails before the Java scorers run
    out = caption_metrics(predictions, refs, meteor=cfg.meteor)
    out.update(entity_score(predictions, {k: v[0] for k, v in refs.items()}, extract, encode))
    return out


def constant_baseline(train_captions: list[str]) -> str:
    """The constant guess: the distinct training description with the highest CIDEr when scored against all
    training descriptions as its references (the consensus paragraph)."""
    from pycocoevalcap.cider.cider import Cider

    counts = Counter(train_captions)
    candidates = list(counts)
    refs = [c.lower() for c in train_captions]
    gts = {i: refs for i in range(len(candidates))}
    res = {i: [c.lower()] for i, c in enumerate(candidates)}
    _, scores = Cider().compute_score(gts, res)
    return candidates[int(max(range(len(candidates)), key=lambda i: scores[i]))]
