"""Train an autoregressive TNN LM with the shared trainer and report perplexity.

    python -m tnn.train --config tnn/configs/smoke.py [--set key=value ...] [--run-dir DIR]

Writes the shared trainer's run folder; `results.json` holds `metric` ("test_ppl"), `ours` (test
perplexity at the training length), `baseline` (unigram perplexity), `untrained_ppl`, `valid_ppl`.
The paper's WikiText-103 run goes through fairseq instead (tnn/fairseq_tnn, `make tnn`); this
entry point trains the same model on the same binarized data, in the same blocks, without fairseq's trainer.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch

from shared.cli import resolve, train_parser
from shared.distributed import shutdown
from shared.lm import LMBlocks, lm_loss, train_lm, unigram_perplexity
from shared.rng import seed_everything
from tnn.config import DataConfig, LMConfig
from tnn.data import load_dictionary, load_tokens
from tnn.evaluate import EOS, evaluate_ppl
from tnn.model import build_model
from tnn.synthetic import generate_corpus


def prepare_data(cfg: DataConfig) -> None:
    if cfg.generate and not (Path(cfg.data_root) / "test.idx").is_file():
        generate_corpus(cfg.data_root, cfg.gen_words,
                        {"train": cfg.gen_train_tokens, "valid": cfg.gen_eval_tokens, "test": cfg.gen_eval_tokens},
                        seed=cfg.gen_seed)


def run(cfg: LMConfig, run_dir: str | Path, resume: bool = True) -> dict[str, Any]:
    prepare_data(cfg.data)
    vocab = len(load_dictionary(cfg.data.data_root))
    if cfg.model.vocab_size != vocab:
        raise ValueError(f"model.vocab_size={cfg.model.vocab_size} but {cfg.data.data_root}/dict.txt gives {vocab} "
                         "symbols; set model.vocab_size to the dictionary size")
    tokens = {s: load_tokens(cfg.data.data_root, s, vocab) for s in ("train", "valid", "test")}
    length = cfg.data.tokens_per_sample

    seed_everything(cfg.train.seed)
    model = build_model(cfg)

    def evaluate(m: torch.nn.Module) -> dict[str, float]:
        return {f"{s}_ppl": evaluate_ppl(m, tokens[s], length, cfg.data.eval_batch_size) for s in ("valid", "test")}

    return train_lm(model, cfg.train, LMBlocks(tokens["train"], length, EOS, full_only=True), lm_loss, run_dir,
                    evaluate, metric="test_ppl", baseline=unigram_perplexity(tokens["train"], tokens["test"], vocab),
                    baseline_name="unigram", experiment_config=cfg, resume=resume,
                    extra={"tokens_per_sample": length})


def main() -> None:
    args = train_parser(__doc__.split("\n\n")[0]).parse_args()
    cfg, run_dir = resolve(args, "tnn")
    results = run(cfg, run_dir, resume=not args.no_resume)
    print(json.dumps({k: results[k] for k in ("metric", "ours", "baseline", "untrained_ppl", "step", "wall_time_s")}))
    shutdown()


if __name__ == "__main__":
    main()
