"""Train a TransNormer language model with the shared trainer.

    python -m transnormer.train --config transnormer/configs/wikitext103_alm_t1.py [--set key=value ...] [--run-dir DIR]

results.json: `metric` ("valid_ppl"), `ours` (validation perplexity), `baseline` (a unigram model's
perplexity on the same split, from train counts with add-one smoothing; the untrained model's for the
masked LM), valid/test perplexity and the untrained model's validation perplexity. Blocks, losses and
perplexities are fairseq's (shared.lm).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import torch

from shared.cli import resolve, train_parser
from shared.distributed import shutdown
from shared.lm import IGNORE, LMBlocks, evaluate_ppl, lm_loss, train_lm, unigram_perplexity
from shared.rng import seed_everything
from transnormer.config import LMExperiment
from transnormer.data import EOS, Dictionary, load_dictionary, load_split, split_path
from transnormer.model import build_model
from transnormer.synthetic import generate_corpus

MASK_SYMBOL = "<mask>"


def mask_tokens(tokens: torch.Tensor, mask_id: int, vocab: int, prob: float, generator: torch.Generator | None = None,
                ) -> tuple[torch.Tensor, torch.Tensor]:
    """RoBERTa's masking: `prob` of the tokens are predicted; of those 80% become <mask>, 10% a random
    token, 10% stay. Returns the corrupted input and the target (IGNORE where nothing is predicted)."""
    chosen = torch.rand(tokens.shape, generator=generator) < prob
    target = torch.where(chosen, tokens, torch.full_like(tokens, IGNORE))
    roll = torch.rand(tokens.shape, generator=generator)
    corrupted = tokens.clone()
    corrupted[chosen & (roll < 0.8)] = mask_id
    random_ids = torch.randint(4, vocab, tokens.shape, generator=generator)
    swap = chosen & (roll >= 0.8) & (roll < 0.9)
    corrupted[swap] = random_ids[swap]
    return corrupted, target


def prepare_data(exp: LMExperiment) -> tuple[Dictionary, dict[str, torch.Tensor]]:
    """The dictionary and each split's token stream."""
    root = Path(exp.data.data_root)
    if exp.data.generate and not (root / "wiki.test.tokens").is_file():
        generate_corpus(root)
    for split in ("train", *exp.data.eval_splits):
        split_path(root, split)  # fail at once, naming the missing file
    dictionary = load_dictionary(root)
    if exp.task == "blm" and MASK_SYMBOL not in dictionary.index:
        dictionary.symbols.append(MASK_SYMBOL)
        dictionary.index[MASK_SYMBOL] = len(dictionary.symbols) - 1
    return dictionary, {s: load_split(root, s, dictionary) for s in ("train", *exp.data.eval_splits)}


class MaskedBlocks(torch.utils.data.Dataset):
    """Blocks for the masked LM: a fresh mask per access, drawn from the trainer's RNG stream."""

    def __init__(self, blocks: LMBlocks, mask_id: int, vocab: int, prob: float) -> None:
        self.blocks, self.mask_id, self.vocab, self.prob = blocks, mask_id, vocab, prob

    def __len__(self) -> int:
        return len(self.blocks)

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        tokens = self.blocks[i]["target"]  # the block's own tokens: the masked LM reconstructs them
        corrupted, target = mask_tokens(tokens, self.mask_id, self.vocab, self.prob)
        return {"tokens": corrupted, "target": target}


def run(exp: LMExperiment, run_dir: str | Path, resume: bool = True) -> dict:
    dictionary, streams = prepare_data(exp)
    if exp.model.vocab_size != len(dictionary):
        exp = dataclasses.replace(exp, model=dataclasses.replace(exp.model, vocab_size=len(dictionary)))
    length = exp.data.tokens_per_sample
    if exp.model.max_positions < length:
        raise ValueError(f"model.max_positions={exp.model.max_positions} < data.tokens_per_sample={length}")
    seed_everything(exp.train.seed)
    model = build_model(exp)
    blocks = {s: LMBlocks(stream, length, EOS) for s, stream in streams.items()}
    train_data: torch.utils.data.Dataset = LMBlocks(streams["train"], length, EOS, full_only=True)
    eval_transform = None
    if exp.task == "blm":
        mask_id = dictionary.index[MASK_SYMBOL]
        train_data = MaskedBlocks(train_data, mask_id, len(dictionary), exp.data.mask_prob)
        eval_gen = torch.Generator().manual_seed(1234)

        def eval_transform(batch: dict) -> dict:
            tokens, target = mask_tokens(batch["target"], mask_id, len(dictionary), exp.data.mask_prob, eval_gen)
            return {"tokens": tokens, "target": target}

    def evaluate(m: torch.nn.Module) -> dict[str, float]:
        return {f"{s}_ppl": evaluate_ppl(m, blocks[s], exp.data.eval_batch_size, transform=eval_transform,
                                         max_blocks=exp.data.max_eval_blocks) for s in exp.data.eval_splits}

    first = exp.data.eval_splits[0]
    metric = f"{first}_ppl"
    if exp.task == "alm":
        baseline, baseline_name = unigram_perplexity(streams["train"], streams[first], len(dictionary)), "unigram"
    else:
        baseline, baseline_name = evaluate(model)[metric], "untrained model"
    return train_lm(model, exp.train, train_data, lm_loss, run_dir, evaluate, metric=metric, baseline=baseline,
                    baseline_name=baseline_name, experiment_config=exp, resume=resume,
                    extra={"task": exp.task, "vocab_size": len(dictionary)})


def main() -> None:
    args = train_parser(__doc__.split("\n\n")[0]).parse_args()
    exp, run_dir = resolve(args, "transnormer")
    results = run(exp, run_dir, resume=not args.no_resume)
    print(json.dumps({k: results[k] for k in ("metric", "ours", "baseline", "untrained_ppl", "step", "wall_time_s")}))
    shutdown()


if __name__ == "__main__":
    main()
