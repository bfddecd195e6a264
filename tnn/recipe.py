"""The paper's fairseq recipe (OpenNLPLab/Tnn train_alm.sh, length_extrapolation.sh) as command lines.

fairseq starts one process per local GPU itself (--distributed-world-size), as the original scripts do,
so no torchrun wrapper is needed. Later flags override earlier ones (argparse keeps the last), which is
how the dryrun shrinks the run without touching the recipe.
"""

from __future__ import annotations

import json
from pathlib import Path

from shared.lm import fairseq_tool
from shared.parallel import processes_for_batch

PLUGIN = Path(__file__).resolve().parent / "fairseq_tnn"
ARCH = "tnn_v2_decay_99_pre"
TRAIN_LENGTH = 512
GLOBAL_BATCH = 128  # sequences per update: 8 GPUs x batch 8 x update_freq 2
MAX_UPDATES = 50_000
PAPER_LENGTHS = (512, 1024, 2048, 4096, 8192, 14336)


def train_command(data: Path, save_dir: Path, gpus: int, extra: list[str] = ()) -> list[str]:
    cpu = [] if gpus else ["--cpu"]
    # the recipe's 128 sequences per update on any machine: the most GPUs that divide its 16 GPU-batches of 8
    world = processes_for_batch(GLOBAL_BATCH // 8, max(gpus, 1))
    return [
        fairseq_tool("fairseq-train"), str(data), "--user-dir", str(PLUGIN), "--task", "language_modeling",
        "--save-dir", str(save_dir), "--distributed-world-size", str(world), "--arch", ARCH,
        "--share-decoder-input-output-embed", "--dropout", "0.1", "--optimizer", "adam", "--adam-betas", "(0.9, 0.98)",
        "--weight-decay", "0.2", "--clip-norm", "1.0", "--lr", "0.0005", "--lr-scheduler", "inverse_sqrt",
        "--warmup-updates", "4000", "--warmup-init-lr", "1e-07", "--tokens-per-sample", str(TRAIN_LENGTH),
        "--sample-break-mode", "none", "--max-tokens", "4096", "--update-freq", str(GLOBAL_BATCH // 8 // world),
        "--ddp-backend=legacy_ddp", "--batch-size", "8", "--max-update", str(MAX_UPDATES), "--log-interval", "10",
        "--no-progress-bar", *cpu, *extra,
    ]


def checkpoint(save_dir: Path) -> Path:
    best = save_dir / "checkpoint_best.pt"
    return best if best.is_file() else save_dir / "checkpoint_last.pt"


def eval_command(data: Path, ckpt: Path, length: int, gpus: int) -> list[str]:
    """length_extrapolation.sh: fairseq-eval-lm on test in blocks of `length` tokens, no context window."""
    return [fairseq_tool("fairseq-eval-lm"), str(data), "--user-dir", str(PLUGIN), "--path", str(ckpt),
            "--sample-break-mode", "none", "--max-sentences", "1",
            "--model-overrides", json.dumps({"max_tokens": length, "tokens_per_sample": length}),
            "--max-tokens", str(length), "--tokens-per-sample", str(length), "--context-window", "0",
            "--gen-subset", "test", *([] if gpus else ["--cpu"])]
