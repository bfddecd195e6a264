"""Reproduce TNN's autoregressive LM on WikiText-103 and its length extrapolation.

smoke:  trains a tiny TNN LM with the shared trainer on a generated corpus (64-token blocks, CPU, ~1 min),
        then evaluates it at 1x ... 16x the training length. Results: `metric` test_ppl, `ours`, `baseline`
        (unigram perplexity), `untrained_ppl`; the table holds the extrapolation rows (also extrapolation.png).
dryrun: the full profile's path at the paper's shapes (the 48.7M-parameter `tnn_v2_decay_99_pre`, the GPT-2
        BPE dictionary of 50264 symbols, 512-token blocks) on a generated corpus in fairseq's binarized
        layout: fairseq-train with the recipe's flags (CUDA: 3 updates of 16 x 512 tokens and fairseq-eval-lm at
        every paper length; CPU: 1 update of 1 x 512 and fairseq-eval-lm at 512), and timed training steps of the
        same model with the recipe's optimizer; then the ImageNet recipe (DeiT-small, 224 px) for 2 steps on a
        generated ImageFolder and its timed step. Rows: parameters vs the original builds, step time, peak
        memory, throughput, the recipe's estimated time.
full:   OpenNLPLab/Tnn train_alm.sh through fairseq with our `--user-dir` plugin on data/wikitext-103/bin/gpt2
        (python -m tnn.prepare), then length_extrapolation.sh: fairseq-eval-lm at 512 ... 14336 tokens.
"""

from __future__ import annotations

import argparse
import shlex
from dataclasses import replace
from pathlib import Path

import torch

from shared import dryrun as dry
from shared.launch import local_gpus
from shared.lm import eval_lm_perplexity, training_step_times, unigram_perplexity
from shared.reproduce import Run, main
from tnn import recipe
from tnn.config import WIKITEXT_BPE
from tnn.data import load_dictionary, load_tokens
from tnn.extrapolate import extrapolation_table, write_report

ORIGINAL_ALM_PARAMETERS = 48_677_376  # fairseq-evo tnn_v2_decay_99_pre, 50264 symbols, frozen decay included
IMAGE_PARAMETERS = {192: 6_422_056, 384: 23_401_192}  # OpenNLPLab/im DeiT-tiny / DeiT-small builds (336fb23)


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
        rows.append({"length": length, "x_train": length / recipe.TRAIN_LENGTH, "ppl": eval_lm_perplexity(output)})
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
    from tnn.configs.imagenet_deit_small import get_config as imagenet_config
    from tnn.configs.wikitext103_alm import get_config

    return run_dryrun(run, get_config(), imagenet_config())


def run_dryrun(run: Run, cfg, image_cfg, arch_flags: list[str] = ()) -> dict:
    """The dryrun of `cfg` (the LM: fairseq route, `arch_flags` appended to the architecture's) and of
    `image_cfg` (the ImageNet recipe on a generated ImageFolder at its image size); tests pass small ones."""
    from tnn.imagenet import run as train_imagenet
    from tnn.synthetic import generate_imagefolder, generate_wide_corpus

    cuda = torch.cuda.is_available()
    device = torch.device("cuda" if cuda else "cpu")
    batch = cfg.train.batch_size // 8 if cuda else 1  # one GPU of the recipe's eight; CPU: 1
    # CPU (a 48.7M-parameter model with a 50264-word softmax): one update, one evaluation length
    updates, lengths = (3, list(recipe.PAPER_LENGTHS)) if cuda else (1, [recipe.TRAIN_LENGTH])
    data = run.out / "data" / f"wikitext-103-bin-gpt2-test{max(lengths)}"
    with run.step(f"generate a corpus in fairseq's layout, {cfg.model.vocab_size}-symbol dictionary"):
        if not (data / "test.idx").is_file():  # a test split just longer than the longest evaluation block
            generate_wide_corpus(data, cfg.model.vocab_size, {"train": 8 * recipe.TRAIN_LENGTH, "valid": 1024,
                                                              "test": max(lengths) + 100})
    shrink = [*arch_flags, "--max-update", str(updates), "--batch-size", str(batch), "--max-tokens",
              str(batch * recipe.TRAIN_LENGTH), "--update-freq", "1", "--warmup-updates", "1", "--log-interval", "1",
              "--num-workers", "0", "--no-save-optimizer-state", "--no-epoch-checkpoints"]
    ppl = fairseq_route(run, data, lengths, shrink)
    with run.step("time training steps of the LM"):
        rows = [time_training(cfg, device, batch, steps=3 if cuda else 1)]
    rows[0]["test_ppl_after_dryrun"] = ppl[0]["ppl"]
    image_batch = 128 if cuda else 2  # one GPU of script_im.sh's sixteen; CPU: 2
    images = run.out / "data" / "imagenet"
    with run.step(f"ImageNet recipe on a generated ImageFolder at {image_cfg.model.image_size} px"):
        if not (images / "val").is_dir():
            generate_imagefolder(images, image_cfg.model.num_classes, {"train": 2, "val": 1},
                                 size=image_cfg.model.image_size)
        small = replace(image_cfg, data_root=str(images), batch_size=image_batch, eval_batch_size=image_batch,
                        num_workers=0, max_steps=2, eval_max_batches=0 if cuda else 1)
        result = train_imagenet(small, run.out / "imagenet")
        rows.append(time_image_training(small, device, image_cfg.batch_size, steps=3 if cuda else 1))
        rows[1]["top1_after_dryrun"] = result["top1"]
    return {"rows": rows}


def time_training(cfg, device: torch.device, batch: int, steps: int) -> dict:
    """Forward, backward and an optimizer step of the paper model at the recipe's precision and optimizer."""
    from shared.optim import build_optimizer
    from tnn.model import build_model

    torch.manual_seed(0)
    model = build_model(cfg).to(device).train()
    dry.reset_peak_memory(device)
    times = training_step_times(model, build_optimizer(model, cfg.train.optim), batch, cfg.data.tokens_per_sample,
                                cfg.model.vocab_size, device, steps, cfg.train.clip_grad_norm)
    n = cfg.data.tokens_per_sample
    count = sum(p.numel() for p in model.parameters()) + sum(b.numel() for b in model.buffers())
    return dry.row("wikitext103_alm (tnn_v2_decay_99_pre)", device, count, times, batch, cfg.train.batch_size,
                   cfg.train.max_steps, reference_parameters=ORIGINAL_ALM_PARAMETERS,
                   reference_source="fairseq-evo build, frozen decay included", units_per_sample=n, unit="tokens",
                   notes="fp32 as the recipe")


def time_image_training(cfg, device: torch.device, recipe_batch: int, steps: int) -> dict:
    """A training step of the image classifier (Mixup'd soft targets, AdamW, clipping) at the recipe's image size."""
    from tnn.imagenet import mixup, optimizer_and_schedule, soft_target_loss
    from tnn.model import build_model

    torch.manual_seed(0)
    model = build_model(cfg).to(device).train()
    optimizer, _ = optimizer_and_schedule(model, cfg)
    m = cfg.model
    images = torch.randn(cfg.batch_size, m.in_chans, m.image_size, m.image_size, device=device)
    labels = torch.randint(m.num_classes, (cfg.batch_size,), device=device)
    mix = mixup(cfg)

    def step() -> None:
        x, target = mix(images.clone(), labels)
        optimizer.zero_grad(set_to_none=True)
        soft_target_loss(model(x), target).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.clip_grad_norm)
        optimizer.step()

    dry.reset_peak_memory(device)
    times = dry.time_steps(step, steps, device)
    count = sum(p.numel() for p in model.parameters()) + sum(b.numel() for b in model.buffers())
    steps_per_epoch = 1_281_167 // recipe_batch
    return dry.row(f"imagenet ({m.embed_dim}-wide TnnVit)", device, count, times, cfg.batch_size, recipe_batch,
                   cfg.epochs * steps_per_epoch, reference_parameters=IMAGE_PARAMETERS.get(m.embed_dim),
                   reference_source="OpenNLPLab/im build, frozen decay included", notes="fp32 as the recipe; "
                   "1,281,167 training images per epoch")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lengths", type=int, nargs="+", default=list(recipe.PAPER_LENGTHS),
                        help="full: evaluation lengths (length_extrapolation.sh)")
    parser.add_argument("--fairseq-args", default="", help="full: extra fairseq-train flags, e.g. '--distributed-port 12345'")


if __name__ == "__main__":
    main(__doc__, {"smoke": smoke, "dryrun": dryrun, "full": full}, add_arguments=add_arguments)
