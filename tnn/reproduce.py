"""Reproduce the paper's autoregressive LM and its length extrapolation.

    python -m tnn.reproduce --profile smoke [--out DIR]   # CPU, ~1 min, generated corpus
    python -m tnn.reproduce --profile full [--out DIR] [--data-dir data-bin/wikitext-103]

smoke: trains a tiny TNN LM with the shared trainer on a generated corpus (64-token blocks), then
evaluates it at 1x ... 16x the training length. DIR/results.json: `metric` test_ppl, `ours`, `baseline`
(unigram perplexity), `untrained_ppl`, `extrapolation` rows; DIR/extrapolation.{md,png}.
full: the OpenNLPLab/Tnn recipe (train_alm.sh, length_extrapolation.sh) through fairseq with our
`--user-dir` plugin, then fairseq-eval-lm at 512 ... 14336 tokens. fairseq starts one process per local GPU
itself (--distributed-world-size), as the original scripts do, so no torchrun wrapper is needed.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import torch

from shared.launch import local_gpus
from shared.runlog import merge_results
from tnn.data import load_dictionary, load_tokens
from tnn.extrapolate import PAPER_LENGTHS, extrapolation_table, write_report
from tnn.metrics import unigram_perplexity

PLUGIN = Path(__file__).resolve().parent / "fairseq_tnn"


def smoke(out: Path) -> dict:
    from shared.config import load_config
    from tnn.train import run

    cfg = load_config(Path(__file__).resolve().parent / "configs" / "smoke.py")
    cfg.data.data_dir = str(out / "data")
    run_dir = out / "run"
    shutil.rmtree(run_dir, ignore_errors=True)  # a fresh run each time
    results = run(cfg, run_dir, resume=False)
    model = _trained_model(run_dir)
    train_length = cfg.data.tokens_per_sample
    tokens = load_tokens(cfg.data.data_dir, "test", cfg.model.vocab_size)
    rows = extrapolation_table(model, tokens, [train_length * 2**k for k in range(5)], train_length,
                               cfg.data.eval_batch_size, torch.device("cpu"))
    table = write_report(rows, out, f"smoke: trained at {train_length} tokens")
    up_to_8x = [r["ppl_ratio"] for r in rows if r["x_train"] <= 8]
    summary = {**results, "extrapolation": rows, "extrapolation_max_ppl_ratio_8x": max(up_to_8x)}
    (out / "results.json").write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    print(table)
    return summary


def _trained_model(run_dir: Path) -> torch.nn.Module:
    from tnn.evaluate import load_model

    model, _ = load_model(run_dir)
    return model


def _fairseq(tool: str) -> str:
    path = Path(sys.executable).parent / tool
    return str(path) if path.exists() else tool


def full(out: Path, data_dir: Path, extra_train_args: list[str], lengths: list[int]) -> dict:
    missing = [f for f in ("dict.txt", "train.bin", "valid.bin", "test.bin") if not (data_dir / f).is_file()]
    if missing:
        print(f"error: {data_dir} lacks {', '.join(missing)}. Prepare WikiText-103 first:\n"
              f"    python -m tnn.prepare --out {data_dir}", file=sys.stderr)
        sys.exit(2)
    gpus = max(local_gpus(), 1)
    cpu = [] if local_gpus() else ["--cpu"]
    save_dir = out / "checkpoints"
    # OpenNLPLab/Tnn train_alm.sh: 128 sequences of 512 tokens per update over all GPUs
    train = [
        _fairseq("fairseq-train"), str(data_dir), "--user-dir", str(PLUGIN), "--task", "language_modeling",
        "--save-dir", str(save_dir), "--distributed-world-size", str(gpus), "--arch", "tnn_v2_decay_99_pre",
        "--share-decoder-input-output-embed", "--dropout", "0.1", "--optimizer", "adam", "--adam-betas", "(0.9, 0.98)",
        "--weight-decay", "0.2", "--clip-norm", "1.0", "--lr", "0.0005", "--lr-scheduler", "inverse_sqrt",
        "--warmup-updates", "4000", "--warmup-init-lr", "1e-07", "--tokens-per-sample", "512",
        "--sample-break-mode", "none", "--max-tokens", "4096", "--update-freq", str(max(1, 128 // 8 // gpus)),
        "--ddp-backend=legacy_ddp", "--batch-size", "8", "--max-update", "50000", "--log-interval", "10",
    ] + cpu + extra_train_args  # later flags override earlier ones
    print("+", " ".join(train), flush=True)
    subprocess.run(train, check=True)
    rows = []
    for length in lengths:  # length_extrapolation.sh
        cmd = [_fairseq("fairseq-eval-lm"), str(data_dir), "--user-dir", str(PLUGIN), "--path",
               str(save_dir / ("checkpoint_best.pt" if (save_dir / "checkpoint_best.pt").is_file() else "checkpoint_last.pt")), "--sample-break-mode", "none", "--max-sentences", "1",
               "--model-overrides", json.dumps({"max_tokens": length, "tokens_per_sample": length}),
               "--max-tokens", str(length), "--tokens-per-sample", str(length), "--context-window", "0",
               "--gen-subset", "test"] + cpu
        print("+", " ".join(cmd), flush=True)
        proc = subprocess.run(cmd, check=True, capture_output=True, text=True)
        match = re.search(r"Perplexity: ([0-9.]+)", proc.stdout + proc.stderr)
        if match is None:
            raise RuntimeError(f"fairseq-eval-lm printed no perplexity at length {length}:\n{proc.stderr[-2000:]}")
        rows.append({"length": length, "x_train": length / 512, "ppl": float(match.group(1))})
    for row in rows:
        row["ppl_ratio"] = row["ppl"] / rows[0]["ppl"]
    write_report(rows, out, "WikiText-103 test, trained at 512 tokens")
    vocab = len(load_dictionary(data_dir))
    baseline = unigram_perplexity(load_tokens(data_dir, "train"), load_tokens(data_dir, "test"), vocab)
    results = {"metric": "test_ppl", "ours": rows[0]["ppl"], "baseline": baseline, "baseline_name": "unigram",
               "extrapolation": rows}
    merge_results(out, results)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", choices=("full", "smoke"), default="full")
    parser.add_argument("--out", type=Path, default=None, help="default: runs/tnn/<profile>")
    parser.add_argument("--data-dir", type=Path, default=Path("data-bin/wikitext-103"))
    parser.add_argument("--lengths", type=int, nargs="+", default=list(PAPER_LENGTHS), help="full: evaluation lengths")
    parser.add_argument("--fairseq-args", default="", help="full: extra fairseq-train flags, e.g. '--distributed-port 12345'")
    args = parser.parse_args()
    out = args.out or Path("runs") / "tnn" / args.profile
    out.mkdir(parents=True, exist_ok=True)
    if args.profile == "smoke":
        torch.set_num_threads(1)  # the smoke model is tiny: more threads only contend on a shared CPU
        smoke(out)
    else:
        full(out, args.data_dir, shlex.split(args.fairseq_args), args.lengths)


if __name__ == "__main__":
    main()
