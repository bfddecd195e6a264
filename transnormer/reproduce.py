"""Reproduce TransNormer's autoregressive LMs (T1 and T2) on WikiText-103.

smoke:  a generated corpus in WikiText-103's layout, the T1 LM at tiny size on the shared trainer (CPU, about a
        minute). Results: `metric` valid_ppl, `ours`, `baseline` (unigram perplexity), `untrained_ppl`.
dryrun: the full profile's path at the paper's shapes on a generated corpus in the official layout whose
        training split holds 267,735 distinct words (so fairseq's dictionary has the paper's 267,744 symbols):
        fairseq-preprocess, fairseq-train with train_alm.sh's flags, fairseq-eval-lm on test, and timed training
        steps of the same 156M-parameter models with the recipe's optimizer. CUDA: T1 and T2, 3 updates of
        16 x 512 tokens; CPU: T1 only, 1 update of 1 x 512 (a step takes minutes there). One row per model:
        parameters, step time, peak memory, throughput, recipe estimate.
full:   the recipe through fairseq (the default engine): fairseq-preprocess of data/wikitext-103/raw/wikitext-103
        into data/wikitext-103/bin/word (once), fairseq-train with our --user-dir plugin and train_alm.sh's
        flags, fairseq-eval-lm's test perplexity; `--engine ours` trains the same models with the shared trainer
        (torchrun). Stops at once with the prepare command when the data is missing.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from shared import dryrun as dry
from shared.launch import local_gpus, train_command
from shared.lm import eval_lm_perplexity, training_step_times, unigram_perplexity
from shared.reproduce import Run, main
from transnormer import recipe
from transnormer.config import wikitext_words_root
from transnormer.data import SPLITS, load_dictionary, load_split

CONFIGS = Path(__file__).parent / "configs"
ORIGINAL_PARAMETERS = 155_988_540  # fairseq-evo transnormer_t1/t2 with the 267,744-symbol dictionary
WIKITEXT_WORDS = 267_735  # distinct words of WikiText-103's training split (+ 4 specials, padded to 267,744)


def smoke(run: Run) -> dict:
    from transnormer.config import smoke_experiment
    from transnormer.train import run as train

    torch.set_num_threads(1)
    with run.step("train the smoke T1 LM"):
        results = train(smoke_experiment(str(run.out / "data" / "smoke_corpus")), run.out / "run", resume=False)
    keep = ("metric", "ours", "baseline", "baseline_name", "untrained_ppl", "valid_ppl", "test_ppl", "step")
    return {k: results[k] for k in keep}


def fairseq_route(run: Run, raw: Path, bin_dir: Path, extra_train: list[str],
                  archs: tuple[str, ...] = recipe.ARCHS) -> list[dict]:
    """Binarize once, train each architecture, score its test split with fairseq-eval-lm."""
    gpus = local_gpus()
    if not (bin_dir / "dict.txt").is_file():
        with run.step("fairseq-preprocess"):
            run.sh(recipe.preprocess_command(raw, bin_dir))
    rows = []
    for arch in archs:
        save_dir = run.out / "fairseq" / arch
        with run.step(f"fairseq-train {arch}"):
            run.sh(recipe.train_command(bin_dir, save_dir, arch, gpus, extra_train))
        with run.step(f"fairseq-eval-lm {arch}"):
            start = run.log_path.stat().st_size
            run.sh(recipe.eval_command(bin_dir, recipe.checkpoint(save_dir), gpus))
            rows.append({"run": arch, "metric": "test_ppl", "ours": eval_lm_perplexity(run.log_path.read_text()[start:])})
    return rows


def unigram_baseline(raw: Path) -> float:
    dictionary = load_dictionary(raw)
    return unigram_perplexity(load_split(raw, "train", dictionary), load_split(raw, "test", dictionary), len(dictionary))


def full(run: Run) -> dict:
    raw = Path(wikitext_words_root())
    run.require([raw / f"wiki.{s}.tokens" for s in SPLITS], f"python -m transnormer.prepare --out {raw.parent}")
    if run.args.engine == "ours":
        rows = []
        for name in ("wikitext103_alm_t1", "wikitext103_alm_t2"):
            with run.step(f"train {name}"):
                run.sh(train_command("transnormer.train", ["--config", str(CONFIGS / f"{name}.py"),
                                                            "--run-dir", str(run.out / name)]))
            rows.append({"run": name, "metric": "valid_ppl", "ours": _results(run.out / name)["ours"]})
    else:
        rows = fairseq_route(run, raw, run.dataset("wikitext-103") / "bin" / "word", [])
    baseline = unigram_baseline(raw)
    return {"metric": rows[0]["metric"], "ours": rows[0]["ours"], "baseline": baseline, "baseline_name": "unigram",
            "rows": [{**r, "baseline": baseline} for r in rows]}


def _results(run_dir: Path) -> dict:
    import json

    return json.loads((run_dir / "results.json").read_text())


def dryrun(run: Run) -> dict:
    from transnormer.config import alm_experiment

    return run_dryrun(run, {v: alm_experiment(v) for v in ("t1", "t2")}, WIKITEXT_WORDS)


def run_dryrun(run: Run, experiments: dict, words: int, arch_flags: list[str] = ()) -> dict:
    """The dryrun of the ALM `experiments` ({"t1": ..., "t2": ...}) on generated text with `words` distinct
    words; `arch_flags` are appended to fairseq-train's (tests pass small models)."""
    from transnormer.synthetic import generate_wide_corpus

    cuda = torch.cuda.is_available()
    device = torch.device("cuda" if cuda else "cpu")
    batch = recipe.GLOBAL_BATCH // 8 if cuda else 1  # one GPU of the recipe's eight; CPU: 1
    raw = run.out / "data" / "raw"
    with run.step(f"generate WikiText-103-layout text with {words:,} distinct words"):
        if not (raw / "wiki.test.tokens").is_file():
            short = recipe.TRAIN_LENGTH + 100  # one full block and a partial one: evaluation is minutes per block on CPU
            generate_wide_corpus(raw, words, {"train": max(words, 8 * recipe.TRAIN_LENGTH), "valid": short, "test": short})
    # CPU: the 156M-parameter models with a 267,744-word softmax take minutes per step on 2 cores, so T1 only
    # (T2 runs the same route with other attention kernels) and one update
    variants = tuple(experiments) if cuda else tuple(experiments)[:1]
    shrink = [*arch_flags, "--max-update", "3" if cuda else "1", "--batch-size", str(batch), "--max-tokens",
              str(batch * recipe.TRAIN_LENGTH), "--update-freq", "1", "--warmup-updates", "1", "--log-interval", "1",
              "--num-workers", "0", "--no-save-optimizer-state", "--no-epoch-checkpoints"]
    ppl = fairseq_route(run, raw, run.out / "data" / "bin-word", shrink, tuple(f"transnormer_{v}" for v in variants))
    rows = []
    for variant, result in zip(variants, ppl, strict=True):
        with run.step(f"time training steps of transnormer_{variant}"):
            row = time_training(experiments[variant], f"wikitext103_alm_{variant}", device, batch,
                                steps=3 if cuda else 1)
        rows.append({**row, "test_ppl_after_dryrun": result["ours"]})
    return {"rows": rows}


def time_training(exp, name: str, device: torch.device, batch: int, steps: int) -> dict:
    """Forward, backward and an optimizer step of the paper model (fp32 and the recipe's optimizer)."""
    from shared.optim import build_optimizer
    from transnormer.model import build_model, count_parameters

    torch.manual_seed(0)
    model = build_model(exp).to(device).train()
    dry.reset_peak_memory(device)
    n = exp.data.tokens_per_sample
    times = training_step_times(model, build_optimizer(model, exp.train.optim), batch, n, exp.model.vocab_size,
                                device, steps, exp.train.clip_grad_norm)
    return dry.row(name, device, count_parameters(model), times, batch, exp.train.batch_size, exp.train.max_steps,
                   reference_parameters=ORIGINAL_PARAMETERS, reference_source="fairseq-evo build on the meta device",
                   units_per_sample=n, unit="tokens", notes="fp32 as the recipe")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--engine", choices=("fairseq", "ours"), default="fairseq",
                        help="full: fairseq-train with the plugin (the paper's recipe) or the shared trainer")


if __name__ == "__main__":
    main(__doc__, {"smoke": smoke, "dryrun": dryrun, "full": full}, add_arguments=add_arguments)
