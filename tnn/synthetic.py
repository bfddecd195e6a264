"""A generated corpus in fairseq's binarized layout, for the smoke profile and the tests.

Sentences from a first-order Markov chain over `words` symbols: each word is followed by one of
`branching` successors (probabilities 0.6, 0.3, 0.1, ...), a sentence ends after 4-24 words. A model
that uses the previous token reaches a perplexity near the chain's entropy; a unigram model cannot.
"""

from __future__ import annotations

from pathlib import Path

import torch

from tnn.data import SPLITS, import_fairseq, write_split


def _chain(words: int, branching: int, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    successors = torch.stack([torch.randperm(words, generator=gen)[:branching] for _ in range(words)])
    probs = torch.tensor([0.6, 0.3, 0.1] + [0.0] * max(0, branching - 3))[:branching]
    probs = probs + 1e-3
    return successors, probs / probs.sum()


def generate_corpus(data_dir: str | Path, words: int = 64, tokens: dict[str, int] | None = None, branching: int = 3,
                    seed: int = 0) -> Path:
    """Write dict.txt and {train,valid,test}.{bin,idx}; returns the folder."""
    import_fairseq()
    from fairseq.data import Dictionary

    tokens = tokens or {"train": 60_000, "valid": 6_000, "test": 6_000}
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    gen = torch.Generator().manual_seed(seed)
    successors, probs = _chain(words, branching, gen)
    dictionary = Dictionary()
    ids = torch.tensor([dictionary.add_symbol(f"w{i}") for i in range(words)])
    eos = dictionary.eos()
    splits: dict[str, list[torch.Tensor]] = {}
    for split in SPLITS:
        lines, total = [], 0
        while total < tokens[split]:
            length = int(torch.randint(4, 25, (1,), generator=gen))
            w = int(torch.randint(words, (1,), generator=gen))
            sentence = [w]
            for _ in range(length - 1):
                w = int(successors[w][torch.multinomial(probs, 1, generator=gen)])
                sentence.append(w)
            line = torch.cat([ids[torch.tensor(sentence)], torch.tensor([eos])])
            lines.append(line)
            total += len(line)
        splits[split] = lines
    for line in splits["train"]:  # counts as fairseq-preprocess would record them
        for t in line.tolist():
            dictionary.count[t] += 1
    dictionary.save(str(data_dir / "dict.txt"))
    for split, lines in splits.items():
        write_split(data_dir, split, lines, len(dictionary))
    return data_dir
