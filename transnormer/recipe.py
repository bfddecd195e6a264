"""The paper's fairseq recipe (OpenNLPLab/Transnormer train_alm.sh) as command lines.

fairseq-preprocess binarizes the word-level WikiText-103 (--only-source, the dictionary built from train),
fairseq-train trains `transnormer_t1` / `transnormer_t2` through our --user-dir plugin (fairseq starts one
process per GPU itself), fairseq-eval-lm scores the test split in blocks of 512. Later flags override
earlier ones (argparse keeps the last): the dryrun shrinks a run by appending flags.
"""

from __future__ import annotations

from pathlib import Path

from shared.lm import fairseq_tool
from shared.parallel import processes_for_batch

PLUGIN = Path(__file__).resolve().parent / "fairseq_transnormer"
ARCHS = ("transnormer_t1", "transnormer_t2")
TRAIN_LENGTH = 512
GLOBAL_BATCH = 128  # samples per update: 8 per GPU x update_freq
MAX_UPDATES = 100_000


def preprocess_command(raw: Path, bin_dir: Path, workers: int = 20) -> list[str]:
    return [fairseq_tool("fairseq-preprocess"), "--only-source", "--trainpref", str(raw / "wiki.train.tokens"),
            "--validpref", str(raw / "wiki.valid.tokens"), "--testpref", str(raw / "wiki.test.tokens"),
            "--destdir", str(bin_dir), "--workers", str(workers)]


def train_command(bin_dir: Path, save_dir: Path, arch: str, gpus: int, extra: list[str] = ()) -> list[str]:
    # the recipe's 128 sequences per update on any machine: the most GPUs that divide its 16 GPU-batches of 8
    world = processes_for_batch(GLOBAL_BATCH // 8, max(gpus, 1))
    return [
        fairseq_tool("fairseq-train"), "--task", "language_modeling", str(bin_dir), "--user-dir", str(PLUGIN),
        "--save-dir", str(save_dir), "--distributed-world-size", str(world), "--arch", arch,
        "--share-decoder-input-output-embed", "--dropout", "0.1", "--optimizer", "adam", "--adam-betas", "(0.9, 0.98)",
        "--weight-decay", "0.01", "--clip-norm", "0", "--lr", "0.0005", "--lr-scheduler", "inverse_sqrt",
        "--warmup-updates", "8000", "--warmup-init-lr", "1e-07", "--tokens-per-sample", str(TRAIN_LENGTH),
        "--sample-break-mode", "none", "--max-tokens", str(TRAIN_LENGTH * 8), "--update-freq",
        str(GLOBAL_BATCH // 8 // world), "--batch-size", "8", "--max-update", str(MAX_UPDATES),
        "--log-interval", "100", "--no-progress-bar", *([] if gpus else ["--cpu"]), *extra,
    ]


def checkpoint(save_dir: Path) -> Path:
    best = save_dir / "checkpoint_best.pt"
    return best if best.is_file() else save_dir / "checkpoint_last.pt"


def eval_command(bin_dir: Path, ckpt: Path, gpus: int, tokens_per_sample: int = TRAIN_LENGTH) -> list[str]:
    return [fairseq_tool("fairseq-eval-lm"), str(bin_dir), "--user-dir", str(PLUGIN), "--path", str(ckpt),
            "--gen-subset", "test", "--tokens-per-sample", str(tokens_per_sample), "--sample-break-mode", "none",
            "--max-tokens", str(8 * tokens_per_sample), "--context-window", "0", *([] if gpus else ["--cpu"])]
