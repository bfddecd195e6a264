"""Reproduce the paper's main experiment end to end.

    python -m transnormer.reproduce --profile {full,smoke} [--out DIR]

smoke: a generated corpus in WikiText-103's layout, the T1 LM at tiny size on CPU (about a minute);
writes DIR/results.json (metric valid_ppl, ours, baseline = unigram perplexity) and DIR/results.md/.png.
full: the T1 and T2 autoregressive LMs on WikiText-103, as the paper's recipe: the data binarised with
fairseq-preprocess, fairseq-train with our --user-dir plugin and the flags of OpenNLPLab/Transnormer's
train_alm.sh (fairseq starts its own process per GPU), then fairseq-eval-lm on the test split; stops at
once, printing the prepare command, when the data is missing. `--engine ours` trains the same models with
the shared trainer through torchrun instead.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from shared import launch
from shared.config import apply_overrides, load_config
from shared.results import markdown_table, plot_metric
from transnormer.data import SPLITS

CONFIGS = Path(__file__).parent / "configs"
FULL = ("wikitext103_alm_t1", "wikitext103_alm_t2")
FAIRSEQ_ARCHS = ("transnormer_t1", "transnormer_t2")


def report(run_dirs: list[Path], out: Path) -> None:
    rows = [{"run": d.name, **json.loads((d / "results.json").read_text())} for d in run_dirs]
    columns = ["run", "metric", "ours", "baseline", "baseline_name", "untrained_ppl", "valid_ppl", "test_ppl", "step"]
    table = markdown_table(rows, [c for c in columns if any(c in r for r in rows)])
    (out / "results.md").write_text(table + "\n")
    plot_metric(run_dirs, "train/loss", out / "results.png")
    print(table)


def fairseq_tool(name: str) -> str:
    """A fairseq console script from this interpreter's environment (the venv need not be on PATH)."""
    path = Path(sys.executable).parent / name
    return str(path) if path.exists() else name


def fairseq_test_ppl(out: Path, arch: str, tokens_per_sample: int = 512) -> float:
    """fairseq-eval-lm on the test split with the best checkpoint, in blocks of the training length."""
    save_dir = out / "fairseq" / arch
    ckpt = save_dir / "checkpoint_best.pt" if (save_dir / "checkpoint_best.pt").is_file() else save_dir / "checkpoint_last.pt"
    cmd = [fairseq_tool("fairseq-eval-lm"), str(out / "data-bin"), "--user-dir", str(Path(__file__).parent / "fairseq_transnormer"),
           "--path", str(ckpt), "--gen-subset", "test", "--tokens-per-sample", str(tokens_per_sample),
           "--sample-break-mode", "none", "--max-tokens", str(8 * tokens_per_sample), "--context-window", "0"] + ([] if launch.local_gpus() else ["--cpu"])
    print("+", " ".join(cmd), flush=True)
    proc = subprocess.run(cmd, check=True, capture_output=True, text=True)
    match = re.search(r"Perplexity: ([0-9.]+)", proc.stdout + proc.stderr)
    if match is None:
        raise RuntimeError(f"fairseq-eval-lm printed no perplexity for {arch}:\n{proc.stderr[-2000:]}")
    return float(match.group(1))


def fairseq_commands(data_root: Path, out: Path, gpus: int) -> list[list[str]]:
    """fairseq-preprocess (once) and fairseq-train for T1 and T2 with train_alm.sh's flags."""
    bin_dir = out / "data-bin"
    cmds = []
    if not (bin_dir / "dict.txt").is_file():
        cmds.append([fairseq_tool("fairseq-preprocess"), "--only-source", "--trainpref", str(data_root / "wiki.train.tokens"),
                     "--validpref", str(data_root / "wiki.valid.tokens"), "--testpref",
                     str(data_root / "wiki.test.tokens"), "--destdir", str(bin_dir), "--workers", "20"])
    batch, tokens = 8, 512
    for arch in FAIRSEQ_ARCHS:
        cmds.append([
            fairseq_tool("fairseq-train"), "--task", "language_modeling", str(bin_dir), "--user-dir", str(Path(__file__).parent /
            "fairseq_transnormer"), "--save-dir", str(out / "fairseq" / arch), "--distributed-world-size", str(gpus),
            "--arch", arch, "--share-decoder-input-output-embed", "--dropout", "0.1", "--optimizer", "adam",
            "--adam-betas", "(0.9, 0.98)", "--weight-decay", "0.01", "--clip-norm", "0", "--lr", "0.0005",
            "--lr-scheduler", "inverse_sqrt", "--warmup-updates", "8000", "--warmup-init-lr", "1e-07",
            "--tokens-per-sample", str(tokens), "--sample-break-mode", "none", "--max-tokens", str(tokens * batch),
            "--update-freq", str(max(128 // batch // gpus, 1)), "--batch-size", str(batch), "--max-update", "100000",
            "--log-interval", "100",
        ])
    return cmds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", choices=("full", "smoke"), default="full")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--engine", choices=("ours", "fairseq"), default="fairseq",
                        help="full profile: fairseq-train with the plugin (default, the paper's recipe) or our trainer")
    args = parser.parse_args()
    out = args.out or Path("runs/transnormer") / f"reproduce_{args.profile}"
    out.mkdir(parents=True, exist_ok=True)
    if args.profile == "smoke":
        from transnormer.train import run

        run_dir = out / "smoke"
        shutil.rmtree(run_dir, ignore_errors=True)  # a fresh run each time
        cfg = apply_overrides(load_config(CONFIGS / "smoke.py"), [f"data.root={out / 'data'}"])
        results = run(cfg, run_dir, resume=False)
        (out / "results.json").write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
        report([run_dir], out)
        return
    data_root = Path(load_config(CONFIGS / f"{FULL[0]}.py").data.root)
    missing = [s for s in SPLITS if not (data_root / f"wiki.{s}.tokens").is_file()]
    if missing:
        sys.exit(f"WikiText-103 is missing from {data_root} (no wiki.{missing[0]}.tokens). Prepare it with:\n"
                 f"  python -m transnormer.prepare --out {data_root}")
    if args.engine == "fairseq":
        for cmd in fairseq_commands(data_root, out, max(launch.local_gpus(), 1)):
            launch.run(cmd)
        rows = [{"run": arch, "metric": "test_ppl", "ours": fairseq_test_ppl(out, arch)} for arch in FAIRSEQ_ARCHS]
        (out / "results.md").write_text(markdown_table(rows, ["run", "metric", "ours"]) + "\n")
        (out / "results.json").write_text(json.dumps({**rows[0], "runs": rows}, indent=2, sort_keys=True) + "\n")
        return
    run_dirs = []
    for name in FULL:
        run_dir = out / name
        launch.run(launch.train_command("transnormer.train", ["--config", str(CONFIGS / f"{name}.py"),
                                                              "--run-dir", str(run_dir)]))
        run_dirs.append(run_dir)
    report(run_dirs, out)
    first = json.loads((run_dirs[0] / "results.json").read_text())
    (out / "results.json").write_text(json.dumps(first, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
