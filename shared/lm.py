"""Language modelling as fairseq scores it, for the papers that train LMs (tnn, transnormer).

Blocks: fairseq's `language_modeling` task with `--sample-break-mode none` (TokenBlockDataset with
include_targets) cuts a split's token stream into blocks of `length` *targets*: block i predicts
tokens[i*length : (i+1)*length] (the last block is shorter) from the tokens one position earlier,
and the very first token is predicted from `</s>`. So every one of the N tokens is scored, once.
fairseq-eval-lm (`--context-window 0`) sums the log-probabilities of those targets and reports
2 ** (summed NLL / N / ln 2), which is exp(mean NLL in nats).

Also here: the trivial unigram baseline both papers report, the training run both LM trainers share
(untrained perplexity, the shared trainer, the results dict), the timed training step of their dryruns,
the two helpers of their fairseq recipes (finding a fairseq tool, reading fairseq-eval-lm's perplexity), and
the download their `prepare` commands share (WikiText-103 and the GPT-2 BPE files; the only code here that
uses the network, and only when a prepare command is run).
"""

from __future__ import annotations

import math
import re
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from shared.dryrun import time_steps
from shared.runlog import merge_results
from shared.trainer import Trainer, TrainerConfig

IGNORE = -100  # target id that is not scored (cross_entropy's default ignore_index)


class LMBlocks(torch.utils.data.Dataset):
    """fairseq's blocks of a token stream: {"tokens": source, "target": target}, aligned on targets.

    `full_only` keeps only blocks of exactly `length` targets (training batches must stack).
    """

    def __init__(self, tokens: torch.Tensor, length: int, eos: int, full_only: bool = False) -> None:
        if tokens.ndim != 1 or tokens.numel() == 0:
            raise ValueError(f"LMBlocks: expected a non-empty 1-D token stream, got shape {tuple(tokens.shape)}")
        if length < 1:
            raise ValueError(f"LMBlocks: length (tokens_per_sample) must be >= 1, got {length}")
        self.tokens = tokens
        self.length = length
        # the source stream: </s> then every token but the last
        self.source = torch.cat([tokens.new_tensor([eos]), tokens[:-1]])
        n = tokens.numel()
        self.count = n // length if full_only else -(-n // length)
        if self.count == 0:
            raise ValueError(f"LMBlocks: {n} tokens make no full block of {length} (tokens_per_sample)")

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        if not 0 <= i < self.count:
            raise IndexError(f"block {i} of {self.count}")
        start, end = i * self.length, min((i + 1) * self.length, self.tokens.numel())
        return {"tokens": self.source[start:end], "target": self.tokens[start:end]}


def token_nll(logits: torch.Tensor, target: torch.Tensor, ignore_index: int = IGNORE) -> torch.Tensor:
    """Summed NLL in nats of `target` (b, n) under `logits` (b, n, vocab), in fp32; `ignore_index` is not scored."""
    return F.cross_entropy(logits.float().flatten(0, 1), target.flatten(), ignore_index=ignore_index, reduction="sum")


def perplexity(nll_sum_nats: float, num_tokens: int) -> float:
    """fairseq's perplexity: 2 ** (bits per token); inf when it overflows, 1.0 when nothing was scored."""
    if num_tokens <= 0:
        return 1.0
    try:
        return 2 ** (nll_sum_nats / num_tokens / math.log(2))
    except OverflowError:
        return float("inf")


def lm_loss(model: torch.nn.Module, batch: dict, ignore_index: int = IGNORE) -> tuple[torch.Tensor, dict]:
    """Training loss: mean NLL over the scored targets (fairseq's cross_entropy criterion / ntokens)."""
    target = batch["target"]
    count = target.ne(ignore_index).sum()
    return token_nll(model(batch["tokens"]), target, ignore_index) / count.clamp(min=1), {"ntokens": count}


@torch.no_grad()
def evaluate_ppl(model: torch.nn.Module, blocks: torch.utils.data.Dataset, batch_size: int,
                 device: torch.device | str | None = None, transform: Callable[[dict], dict] | None = None,
                 ignore_index: int = IGNORE, max_blocks: int = 0) -> float:
    """Perplexity over every target of `blocks` (e.g. LMBlocks), as fairseq-eval-lm reports it.

    Blocks of equal length are batched together (so the shorter last block runs alone, unpadded);
    `transform` may corrupt a batch first (the masked LM's masking). The model is left in its mode.
    """
    device = torch.device(device) if device is not None else next(model.parameters()).device
    was_training = model.training
    model.eval()
    count = len(blocks) if max_blocks <= 0 else min(max_blocks, len(blocks))
    by_length: dict[int, list[int]] = {}
    for i in range(count):
        by_length.setdefault(len(blocks[i]["target"]), []).append(i)
    nll, scored = 0.0, 0
    for indices in by_length.values():
        for k in range(0, len(indices), batch_size):
            items = [blocks[i] for i in indices[k:k + batch_size]]
            batch = {key: torch.stack([item[key] for item in items]) for key in items[0]}
            if transform is not None:
                batch = transform(batch)
            tokens, target = batch["tokens"].to(device), batch["target"].to(device)
            nll += float(token_nll(model(tokens), target, ignore_index))
            scored += int(target.ne(ignore_index).sum())
    model.train(was_training)
    return perplexity(nll, scored)


def unigram_perplexity(train: torch.Tensor, test: torch.Tensor, vocab_size: int) -> float:
    """The trivial baseline: add-one-smoothed unigram frequencies of `train`, scored on every token of `test`
    (the targets fairseq-eval-lm scores)."""
    if train.numel() == 0 or test.numel() == 0:
        raise ValueError("unigram_perplexity: the train and test token streams must not be empty")
    counts = torch.bincount(train, minlength=vocab_size).double() + 1.0
    logp = (counts / counts.sum()).log()
    return perplexity(float(-logp[test].sum()), test.numel())


def train_lm(model: torch.nn.Module, train_cfg: TrainerConfig, train_data: torch.utils.data.Dataset,
             loss_fn: Callable, run_dir: str | Path, evaluate: Callable[[torch.nn.Module], dict[str, float]],
             metric: str, baseline: float, baseline_name: str, experiment_config: Any = None,
             resume: bool = True, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The LM training run both papers share: the untrained model's `metric`, the shared trainer, and
    results.json with `metric`, `ours`, `baseline`, `baseline_name`, `untrained_ppl` and the final metrics."""
    start = time.perf_counter()
    untrained = evaluate(model)[metric]
    model.train()
    trainer = Trainer(model, train_cfg, train_data, loss_fn, run_dir, evaluate=evaluate,
                      experiment_config=experiment_config)
    final = trainer.fit(resume=resume)
    results = {
        "metric": metric,
        "ours": final[metric],
        "baseline": baseline,
        "baseline_name": baseline_name,
        "untrained_ppl": untrained,
        **final,
        **(extra or {}),
        "step": trainer.step,
        "num_parameters": sum(p.numel() for p in model.parameters()),
        "wall_time_s": round(time.perf_counter() - start, 2),
    }
    if trainer.dist.is_main:
        merge_results(run_dir, results)
    return results


def training_step_times(model: torch.nn.Module, optimizer: torch.optim.Optimizer, batch_size: int, length: int,
                        vocab_size: int, device: torch.device, steps: int,
                        clip_grad_norm: float | None = None) -> list[float]:
    """Seconds of each of `steps` training steps (forward, backward, clipping, optimizer) on random tokens of
    the model's shapes, after one untimed step: what a dryrun reports."""
    tokens = torch.randint(4, vocab_size, (batch_size, length + 1), device=device)
    batch = {"tokens": tokens[:, :-1], "target": tokens[:, 1:]}

    def step() -> None:
        optimizer.zero_grad(set_to_none=True)
        lm_loss(model, batch)[0].backward()
        if clip_grad_norm:
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip_grad_norm)
        optimizer.step()

    return time_steps(step, steps, device)


def fairseq_tool(name: str) -> str:
    """A fairseq console script of this interpreter's environment (the venv need not be on PATH)."""
    path = Path(sys.executable).parent / name
    return str(path) if path.exists() else name


def eval_lm_perplexity(output: str) -> float:
    """The last `Perplexity: X` that fairseq-eval-lm printed."""
    found = re.findall(r"Perplexity: ([0-9.]+|inf)", output)
    if not found:
        raise RuntimeError(f"fairseq-eval-lm printed no perplexity; its output ends with:\n{output[-2000:]}")
    return float(found[-1])


# the official WikiText-103 archives (Salesforce's S3 bucket) and fairseq's GPT-2 BPE files
WIKITEXT_WORDS_URL = "https://s3.amazonaws.com/research.metamind.io/wikitext/wikitext-103-v1.zip"
WIKITEXT_RAW_URL = "https://s3.amazonaws.com/research.metamind.io/wikitext/wikitext-103-raw-v1.zip"
GPT2_BPE_URL = "https://dl.fbaipublicfiles.com/fairseq/gpt2_bpe/"


def download(url: str, dest: Path) -> Path:
    """`url` into `dest` unless it is already there (a prepare command run again resumes)."""
    if not dest.is_file():
        dest.parent.mkdir(parents=True, exist_ok=True)
        print(f"downloading {url}", flush=True)
        urllib.request.urlretrieve(url, dest)
    return dest
