"""Reproduce TNN's autoregressive LM on WikiText-103 and its length extrapolation.

smoke:  trains a tiny TNN LM with the shared trainer on a generated corpus (64-token blocks, CPU, ~1 min),
        then evaluates it at 1x ... 16x the training length. Results: `metric` test_ppl, `ours`, `baseline`
        (unigram perplexity), `untrained_ppl`; the table holds the extrapolation rows (also extrapolation.png).
dryrun: the full profile's path at the paper's shapes (the 48.7M-parameter `tnn_v2_decay_99_pre`, the GPT-2
        BPE dictionary of 50264 symbols, 512-token blocks) on a generated corpus in fairseq's binarized
        layout: fairseq-train with the recipe's flags for 3 updates (CPU: batch 1), fairseq-eval-lm at
        512 and 1024 tokens (CUDA: every paper length), and a timed training step of the same model with
        the recipe's optimizer. One row: parameters, step time, peak memory, throughput, recipe estimate.
full:   OpenNLPLab/Tnn train_alm.sh through fairseq with our `--user-dir` plugin on data/wikitext-103/bin/gpt2
        (python -m tnn.prepare), then length_extrapolation.sh: fairseq-eval-lm at 512 ... 14336 tokens.
"""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

import torch

from shared import dryrun as dry
from shared.launch import local_gpus
from shared.lm import unigram_perplexity
from shared.reproduce import Run, main
from tnn import recipe
from tnn.config import WIKITEXT_BPE
from tnn.data import load_dictionary, load_tokens
from tnn.extrapolate import extrapolation_table, write_report

ORIGINAL_ALM_PARAMETERS = 48_677_376  # fairseq-evo tnn_v2_decay_99_pre, 50264 symbols, frozen decay included


def smoke(run: Run) -> dict:
    from tnn.configs.smoke import get_config
    from tnn.evaluate import load_model
    from tnn.train import run as train

    torch.set_num_threads(1)  # the smoke model is tiny: more threads only contend on a shared CPU
    cfg = get_config(str(run.out / "data" / "smoke_corpus"))
    with run.step("train the smoke TNN LM"):
        results = train(cfg, run.out / "run", resume=False)
    with run.step("extrapolation 1x ... 16x"):
        model, _ = load_model(run.out / "run")
        length = cfg.data.tokens_per_sample
        tokens = load_tokens(cfg.data.data_root, "test", cfg.model.vocab_size)
        rows = extrapolation_table(model, tokens, [length * 2**k for k in range(5)], length,
                                   cfg.data.eval_batch_size, torch.device("cpu"))
        print(write_report(rows, run.out, f"smoke: trained at {length} tokens"))
    keep = ("metric", "ours", "baseline", "baseline_name", "untrained_ppl", "valid_ppl", "test_ppl", "step")
    return {**{k: results[k] for k in keep}, "extrapolation_max_ppl_ratio_8x": max(r["ppl_ratio"] for r in rows
                                                                                  if r["x_train"] <= 8), "rows": rows}


def fairseq_route(run: Run, data: Path, lengths: list[int], extra_train: list[str]) -> list[dict]:
    """fairseq-train with the recipe, then fairseq-eval-lm at each length; the extrapolation rows."""
    gpus = local_gpus()
    save_dir = run.out / "checkpoints"
    with run.step("fairseq-train tnn_v2_decay_99_pre"):
        run.sh(recipe.train_command(data, save_dir, gpus, extra_train))
    rows = []
    for length in lengths:
        with run.step(f"fairseq-eval-lm at {length} tokens"):
            start = run.log_path.stat().st_size
            run.sh(recipe.eval_command(data, recipe.checkpoint(save_dir), length, gpus))
            output = run.log_path.read_text()[start:]
        rows.append({"length": length, "x_train": length / recipe.TRAIN_LENGTH, "ppl": recipe.parse_perplexity(output)})
    for row in rows:
        row["ppl_ratio"] = row["ppl"] / rows[0]["ppl"]
    print(write_report(rows, run.out, f"test, trained at {recipe.TRAIN_LENGTH} tokens"))
    return rows


def full(run: Run) -> dict:
    data = run.dataset(WIKITEXT_BPE[0]).joinpath(*WIKITEXT_BPE[1:])
    run.require([data / f for f in ("dict.txt", "train.bin", "valid.bin", "test.bin")],
                f"python -m tnn.prepare --out {run.dataset(WIKITEXT_BPE[0])}")
    rows = fairseq_route(run, data, run.args.lengths, shlex.split(run.args.fairseq_args))
    vocab = len(load_dictionary(data))
    baseline = unigram_perplexity(load_tokens(data, "train"), load_tokens(data, "test"), vocab)
    return {"metric": "test_ppl", "ours": rows[0]["ppl"], "baseline": baseline, "baseline_name": "unigram",
            "rows": rows}


def dryrun(run: Run) -> dict:
    from tnn.configs.wikitext103_alm import get_config
    from tnn.synthetic import generate_wide_corpus

    cfg = get_config()
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    batch = cfg.train.batch_size // 8 if device.type == "cuda" else 1  # one GPU of the recipe's eight; CPU: 1
    data = run.out / "data" / "wikitext-103-bin-gpt2"
    with run.step("generate a corpus in fairseq's layout, 50264-symbol dictionary"):
        if not (data / "test.idx").is_file():
            longest = max(recipe.PAPER_LENGTHS)
            generate_wide_corpus(data, cfg.model.vocab_size, {"train": 8 * recipe.TRAIN_LENGTH, "valid": 2048,
                                                              "test": longest + 100})
    lengths = list(recipe.PAPER_LENGTHS) if device.type == "cuda" else [512, 1024]
    shrink = ["--max-update", "3", "--batch-size", str(batch), "--max-tokens", str(batch * recipe.TRAIN_LENGTH),
              "--update-freq", "1", "--warmup-updates", "1", "--log-interval", "1", "--num-workers", "0",
              "--no-save-optimizer-state", "--no-epoch-checkpoints"]
    fairseq_route(run, data, lengths, shrink)
    with run.step("time training steps of the paper model"):
        row = time_training(cfg, device, batch)
    return {"rows": [row]}


def time_training(cfg, device: torch.device, batch: int, steps: int = 3) -> dict:
    """Forward, backward and an optimizer step of the paper model at the recipe's precision and optimizer."""
    from shared.lm import lm_loss
    from shared.optim import build_optimizer
    from tnn.model import build_model

    torch.manual_seed(0)
    model = build_model(cfg).to(device).train()
    optimizer = build_optimizer(model, cfg.train.optim)
    n, vocab = cfg.data.tokens_per_sample, cfg.model.vocab_size
    tokens = torch.randint(4, vocab, (batch, n + 1), device=device)
    batch_data = {"tokens": tokens[:, :-1], "target": tokens[:, 1:]}

    def step() -> None:
        optimizer.zero_grad(set_to_none=True)
        loss, _ = lm_loss(model, batch_data)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.train.clip_grad_norm)
        optimizer.step()

    dry.reset_peak_memory(device)
    times = dry.time_steps(step, steps, device)
    count = sum(p.numel() for p in model.parameters()) + sum(b.numel() for b in model.buffers())
    return dry.row("wikitext103_alm (tnn_v2_decay_99_pre)", device, count, times, batch, cfg.train.batch_size,
                   cfg.train.max_steps, reference_parameters=ORIGINAL_ALM_PARAMETERS,
                   reference_source="fairseq-evo build, frozen decay included", units_per_sample=n, unit="tokens",
                   notes="fp32 as the recipe")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lengths", type=int, nargs="+", default=list(recipe.PAPER_LENGTHS),
                        help="full: evaluation lengths (length_extrapolation.sh)")
    parser.add_argument("--fairseq-args", default="", help="full: extra fairseq-train flags, e.g. '--distributed-port 12345'")


if __name__ == "__main__":
    main(__doc__, {"smoke": smoke, "dryrun": dryrun, "full": full}, add_arguments=add_arguments)
