"""Train a TransNormer language model with the shared trainer.

    python -m transnormer.train --config transnormer/configs/wikitext103_alm_t1.py [--set key=value ...] [--run-dir DIR]

results.json: `metric` ("valid_ppl"), `ours` (validation perplexity), `baseline` (a unigram model's
perplexity on the same split, from train counts with add-one smoothing), valid/test perplexity and
the untrained model's validation perplexity.
"""

from __future__ import annotations

import dataclasses
import json
import math
import time
from pathlib import Path

import torch
import torch.nn.functional as F

from shared.cli import resolve, train_parser
from shared.distributed import shutdown
from shared.rng import seed_everything
from shared.runlog import merge_results
from shared.trainer import Trainer
from transnormer.data import PAD, Dictionary, LMBlocks, generate_corpus, load_dictionary, load_split, split_path
from transnormer.experiment import LMExperiment
from transnormer.metrics import perplexity_from_nll
from transnormer.model import TransNormerBidirectional, TransNormerLM

MASK_SYMBOL = "<mask>"


def build_model(exp: LMExperiment) -> torch.nn.Module:
    return TransNormerLM(exp.model) if exp.task == "alm" else TransNormerBidirectional(exp.model)


def mask_tokens(tokens: torch.Tensor, mask_id: int, vocab: int, prob: float, generator: torch.Generator | None = None,
                ) -> tuple[torch.Tensor, torch.Tensor]:
    """RoBERTa's masking: `prob` of the tokens are predicted; of those 80% become <mask>, 10% a random
    token, 10% stay. Returns the corrupted input and the target (PAD where nothing is predicted)."""
    chosen = torch.rand(tokens.shape, generator=generator) < prob
    target = torch.where(chosen, tokens, torch.full_like(tokens, PAD))
    roll = torch.rand(tokens.shape, generator=generator)
    corrupted = tokens.clone()
    corrupted[chosen & (roll < 0.8)] = mask_id
    random_ids = torch.randint(4, vocab, tokens.shape, generator=generator)
    swap = chosen & (roll >= 0.8) & (roll < 0.9)
    corrupted[swap] = random_ids[swap]
    return corrupted, target


def lm_nll(model: torch.nn.Module, batch: dict) -> tuple[torch.Tensor, torch.Tensor]:
    """Summed NLL (nats) over the predicted tokens, and their count."""
    logits = model(batch["tokens"])
    nll = F.cross_entropy(logits.float().flatten(0, 1), batch["target"].flatten(), ignore_index=PAD, reduction="sum")
    return nll, batch["target"].ne(PAD).sum()


@torch.no_grad()
def evaluate_ppl(model: torch.nn.Module, data: torch.utils.data.Dataset, batch_size: int, max_blocks: int = 0,
                 transform=None) -> float:
    device = next(model.parameters()).device
    indices = range(len(data) if max_blocks <= 0 else min(max_blocks, len(data)))
    loader = torch.utils.data.DataLoader(torch.utils.data.Subset(data, list(indices)), batch_size=batch_size)
    total, count = 0.0, 0
    for batch in loader:
        if transform is not None:
            batch = transform(batch)
        batch = {k: v.to(device) for k, v in batch.items()}
        nll, n = lm_nll(model, batch)
        total += float(nll)
        count += int(n)
    return perplexity_from_nll(total, count)


def unigram_ppl(train: LMBlocks, data: LMBlocks, vocab: int) -> float:
    """The trivial baseline: next-token probabilities = train frequencies (add-one smoothed)."""
    counts = torch.bincount(train.stream, minlength=vocab).double() + 1
    logp = torch.log(counts / counts.sum())
    targets = torch.stack([data[i]["target"] for i in range(len(data))]).flatten()
    return math.exp(-float(logp[targets].mean()))


def prepare_data(exp: LMExperiment) -> tuple[Dictionary, dict[str, LMBlocks]]:
    root = Path(exp.data.root)
    if exp.data.generate and not (root / "wiki.test.tokens").is_file():
        generate_corpus(root)
    for split in ("train", *exp.data.eval_splits):
        split_path(root, split)  # fail at once, naming the missing file
    dictionary = load_dictionary(root)
    if exp.task == "blm" and MASK_SYMBOL not in dictionary.index:
        dictionary.symbols.append(MASK_SYMBOL)
        dictionary.index[MASK_SYMBOL] = len(dictionary.symbols) - 1
    splits = {s: load_split(root, s, dictionary, exp.data.tokens_per_sample) for s in ("train", *exp.data.eval_splits)}
    return dictionary, splits


class MaskedBlocks(torch.utils.data.Dataset):
    """Blocks for the masked LM: a fresh mask per access, drawn from the trainer's RNG stream."""

    def __init__(self, blocks: LMBlocks, mask_id: int, vocab: int, prob: float) -> None:
        self.blocks, self.mask_id, self.vocab, self.prob = blocks, mask_id, vocab, prob

    def __len__(self) -> int:
        return len(self.blocks)

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        tokens = self.blocks[i]["tokens"]
        corrupted, target = mask_tokens(tokens, self.mask_id, self.vocab, self.prob)
        return {"tokens": corrupted, "target": target}


def run(exp: LMExperiment, run_dir: str | Path, resume: bool = True) -> dict:
    start = time.perf_counter()
    dictionary, splits = prepare_data(exp)
    if exp.model.vocab_size != len(dictionary):
        exp = dataclasses.replace(exp, model=dataclasses.replace(exp.model, vocab_size=len(dictionary)))
    if exp.model.max_positions < exp.data.tokens_per_sample:
        raise ValueError(f"model.max_positions={exp.model.max_positions} < data.tokens_per_sample")
    seed_everything(exp.train.seed)
    model = build_model(exp)
    train_data: torch.utils.data.Dataset = splits["train"]
    eval_transform = None
    if exp.task == "blm":
        mask_id = dictionary.index[MASK_SYMBOL]
        train_data = MaskedBlocks(splits["train"], mask_id, len(dictionary), exp.data.mask_prob)
        eval_gen = torch.Generator().manual_seed(1234)

        def eval_transform(batch: dict) -> dict:
            tokens, target = mask_tokens(batch["tokens"], mask_id, len(dictionary), exp.data.mask_prob, eval_gen)
            return {"tokens": tokens, "target": target}

    def loss_fn(m: torch.nn.Module, batch: dict) -> tuple[torch.Tensor, dict]:
        nll, n = lm_nll(m, batch)
        return nll / n.clamp(min=1), {}

    def evaluate(m: torch.nn.Module) -> dict[str, float]:
        return {f"{s}_ppl": evaluate_ppl(m, splits[s], exp.data.eval_batch_size, exp.data.max_eval_blocks,
                                         eval_transform) for s in exp.data.eval_splits}

    first = exp.data.eval_splits[0]
    untrained = evaluate(model.eval())[f"{first}_ppl"]
    model.train()
    trainer = Trainer(model, exp.train, train_data, loss_fn, run_dir, evaluate=evaluate, experiment_config=exp)
    final = trainer.fit(resume=resume)
    results = {
        "task": exp.task,
        "metric": f"{first}_ppl",
        "ours": final[f"{first}_ppl"],
        "baseline": unigram_ppl(splits["train"], splits[first], len(dictionary)) if exp.task == "alm" else untrained,
        "baseline_name": "unigram" if exp.task == "alm" else "untrained model",
        "untrained_ppl": untrained,
        **final,
        "num_parameters": sum(p.numel() for p in model.parameters()),
        "vocab_size": len(dictionary),
        "step": trainer.step,
        "wall_time_s": round(time.perf_counter() - start, 2),
    }
    if trainer.dist.is_main:
        merge_results(run_dir, results)
    return results


def main() -> None:
    args = train_parser(__doc__.split("\n\n")[0]).parse_args()
    exp, run_dir = resolve(args, "transnormer")
    results = run(exp, run_dir, resume=not args.no_resume)
    print(json.dumps({k: results[k] for k in ("metric", "ours", "baseline", "untrained_ppl", "step", "wall_time_s")}))
    shutdown()


if __name__ == "__main__":
    main()
