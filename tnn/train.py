"""Train an autoregressive TNN LM with the shared trainer and report perplexity.

    python -m tnn.train --config tnn/configs/smoke.py [--set key=value ...] [--run-dir DIR]

Writes the shared trainer's run folder; `results.json` holds `metric` ("test_ppl"), `ours` (test
perplexity at the training length), `baseline` (unigram perplexity), `untrained_ppl`, `valid_ppl`.
The paper's WikiText-103 run goes through fairseq instead (tnn/fairseq_tnn, `make tnn`); this
entry point trains the same model on the same binarized data without fairseq's trainer.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from shared.cli import resolve, train_parser
from shared.distributed import shutdown
from shared.rng import seed_everything
from shared.runlog import merge_results
from shared.trainer import Trainer, TrainerConfig
from tnn.data import FullBlocks, load_dictionary, load_tokens
from tnn.evaluate import evaluate_ppl
from tnn.metrics import token_nll, unigram_perplexity
from tnn.model import TnnConfig, TnnLM
from tnn.synthetic import generate_corpus


@dataclass
class DataConfig:
    data_dir: str = "data-bin/wikitext-103"
    tokens_per_sample: int = 512
    eval_batch_size: int = 8
    # smoke runs: write the generated corpus into data_dir when it is missing
    generate: bool = False
    gen_words: int = 64
    gen_train_tokens: int = 60_000
    gen_eval_tokens: int = 6_000
    gen_seed: int = 0


@dataclass
class LMConfig:
    data: DataConfig = field(default_factory=DataConfig)
    model: TnnConfig = field(default_factory=TnnConfig)
    train: TrainerConfig = field(default_factory=TrainerConfig)


def prepare_data(cfg: DataConfig) -> None:
    if cfg.generate and not (Path(cfg.data_dir) / "test.idx").is_file():
        generate_corpus(cfg.data_dir, cfg.gen_words,
                        {"train": cfg.gen_train_tokens, "valid": cfg.gen_eval_tokens, "test": cfg.gen_eval_tokens},
                        seed=cfg.gen_seed)


def lm_loss(model: torch.nn.Module, batch: dict) -> tuple[torch.Tensor, dict]:
    nll = token_nll(model(batch["tokens"]), batch["target"])
    ntok = batch["target"].numel()
    return nll / ntok, {"ntokens": ntok}


def run(cfg: LMConfig, run_dir: str | Path, resume: bool = True) -> dict[str, Any]:
    start = time.perf_counter()
    prepare_data(cfg.data)
    vocab = len(load_dictionary(cfg.data.data_dir))
    if cfg.model.vocab_size != vocab:
        raise ValueError(f"model.vocab_size={cfg.model.vocab_size} but {cfg.data.data_dir}/dict.txt gives {vocab} "
                         "symbols; set model.vocab_size to the dictionary size")
    tokens = {s: load_tokens(cfg.data.data_dir, s, vocab) for s in ("train", "valid", "test")}
    length = cfg.data.tokens_per_sample

    seed_everything(cfg.train.seed)
    model = TnnLM(cfg.model)

    def evaluate(m: torch.nn.Module) -> dict[str, float]:
        device = next(m.parameters()).device
        return {f"{s}_ppl": evaluate_ppl(m, tokens[s], length, cfg.data.eval_batch_size, device)
                for s in ("valid", "test")}

    untrained = evaluate_ppl(model.eval(), tokens["test"], length, cfg.data.eval_batch_size, torch.device("cpu"))
    model.train()
    trainer = Trainer(model, cfg.train, FullBlocks(tokens["train"], length), lm_loss, run_dir, evaluate=evaluate,
                      experiment_config=cfg)
    final = trainer.fit(resume=resume)
    results = {
        "metric": "test_ppl",
        "ours": final["test_ppl"],
        "baseline": unigram_perplexity(tokens["train"], tokens["test"], vocab),
        "baseline_name": "unigram",
        "untrained_ppl": untrained,
        "valid_ppl": final["valid_ppl"],
        "test_ppl": final["test_ppl"],
        "tokens_per_sample": length,
        "step": trainer.step,
        "num_parameters": sum(p.numel() for p in model.parameters()),
        "wall_time_s": round(time.perf_counter() - start, 2),
    }
    if trainer.dist.is_main:
        merge_results(run_dir, results)
    return results


def main() -> None:
    args = train_parser(__doc__.split("\n\n")[0]).parse_args()
    cfg, run_dir = resolve(args, "tnn")
    results = run(cfg, run_dir, resume=not args.no_resume)
    print(json.dumps({k: results[k] for k in ("metric", "ours", "baseline", "untrained_ppl", "step", "wall_time_s")}))
    shutdown()


if __name__ == "__main__":
    main()
