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


def example_loss(model: torch.nn.Module, cfg, device: torch.device) -> torch.Tensor:
    """The training loss of `cfg`'s experiment on one generated batch at its real shapes, inputs made on `device`:
    next-token cross-entropy for an LM config, classification cross-entropy for an LRA or image config."""
    from tnn.config import ImageNetConfig, LMConfig, TnnLRAConfig, TnnVitConfig

    model.train()
    if isinstance(cfg, LMConfig):
        from shared.lm import lm_loss

        n, vocab = cfg.data.tokens_per_sample, cfg.model.vocab_size
        tokens = torch.randint(4, vocab, (2, n + 1), device=device)
        return lm_loss(model, {"tokens": tokens[:, :-1], "target": tokens[:, 1:]})[0]
    if isinstance(cfg, ImageNetConfig):  # Mixup/CutMix give soft targets; here a smoothed one-hot (lambda = 1)
        from timm.data.mixup import mixup_target

        from tnn.imagenet import soft_target_loss

        m = cfg.model
        images = torch.randn(2, m.in_chans, m.image_size, m.image_size, device=device)
        label = torch.randint(m.num_classes, (2,), device=device)
        return soft_target_loss(model(images), mixup_target(label, m.num_classes, 1.0, cfg.smoothing))
    model_cfg = getattr(cfg, "model", cfg)
    if isinstance(model_cfg, TnnLRAConfig):
        from shared.lra.train import example_loss as lra_example_loss

        return lra_example_loss(model, cfg.data, device)
    if isinstance(model_cfg, TnnVitConfig):
        images = torch.randn(2, model_cfg.in_chans, model_cfg.image_size, model_cfg.image_size, device=device)
        label = torch.randint(model_cfg.num_classes, (2,), device=device)
        return torch.nn.functional.cross_entropy(model(images), label)
    raise TypeError(f"example_loss: no TNN experiment for a {type(cfg).__name__} config")


def generate_wide_corpus(data_dir: str | Path, vocab_size: int, tokens: dict[str, int], seed: int = 0) -> Path:
    """A corpus over a dictionary of exactly `vocab_size` symbols (e.g. the GPT-2 BPE's 50264), in the same
    layout: uniform random words, lines of 4-24 words. For runs at the paper's shapes (dryrun), not to learn."""
    import_fairseq()
    from fairseq.data import Dictionary

    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    dictionary = Dictionary()
    for i in range(vocab_size - len(dictionary)):
        dictionary.add_symbol(f"w{i}", n=1)
    if len(dictionary) != vocab_size:
        raise ValueError(f"generate_wide_corpus: built {len(dictionary)} symbols, expected {vocab_size}")
    gen = torch.Generator().manual_seed(seed)
    dictionary.save(str(data_dir / "dict.txt"))
    for split in SPLITS:
        lines, total = [], 0
        while total < tokens[split]:
            length = int(torch.randint(4, 25, (1,), generator=gen))
            words = torch.randint(dictionary.nspecial, vocab_size, (length,), generator=gen)
            lines.append(torch.cat([words, torch.tensor([dictionary.eos()])]))
            total += length + 1
        write_split(data_dir, split, lines, vocab_size)
    return data_dir


def generate_imagefolder(root: str | Path, classes: int, per_class: dict[str, int], size: int = 64,
                         seed: int = 0) -> Path:
    """ImageNet's ImageFolder layout (split/<wnid>/<name>.JPEG) with `per_class[split]` JPEG images per class:
    each class a colour with noise, so a classifier can learn it. Sizes vary a little, as real photos do."""
    import numpy as np
    from PIL import Image

    root = Path(root)
    rng = np.random.default_rng(seed)
    colours = rng.integers(0, 256, (classes, 3))
    for split, count in per_class.items():
        for c in range(classes):
            folder = root / split / f"n{c:08d}"
            folder.mkdir(parents=True, exist_ok=True)
            for i in range(count):
                h, w = size + int(rng.integers(0, size // 4)), size + int(rng.integers(0, size // 4))
                pixels = np.clip(colours[c] + rng.normal(0, 40, (h, w, 3)), 0, 255).astype(np.uint8)
                Image.fromarray(pixels).save(folder / f"{split}_{c}_{i}.JPEG", quality=90)
    return root
