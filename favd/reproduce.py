"""Reproduce AVLFormer on FAVDBench: `python -m favd.reproduce --profile {smoke,dryrun,full}`.

smoke:  generates the shapes-and-tones set under <out>/data, trains the tiny model on CPU, evaluates, and reports
        CIDEr, BLEU-4, ROUGE-L and EntityScore for the model and for a constant description (plus loss.png).
dryrun: the full path at paper shapes on generated data: FAVDBench's layout with 32 frames, 10 s of 32 kHz audio
        and a 30,522-word vocabulary under <out>/data, the released Video Swin and PaSST files written with random
        values under <out>/weights and loaded through the real loaders, favd/configs/favd_32frm.py trained for a few
        steps by the same `favd.train` command as full, then generation and scoring; one row of measurements.
full:   needs FAVDBench under data/favdbench and the weights under weights/ (see `python -m favd.prepare`); trains
        favd/configs/favd_32frm.py with torchrun on every local GPU, then reports the test scores.
"""

from __future__ import annotations

import json
from pathlib import Path

from favd.config import FAVDConfig
from shared.config import load_config
from shared.launch import train_command
from shared.reproduce import Run, main
from shared.results import plot_metric

CONFIG_DIR = Path(__file__).resolve().parent / "configs"
PAPER_CONFIG = CONFIG_DIR / "favd_32frm.py"
PREPARE = "python -m favd.prepare --root data/favdbench --weights weights"
REPORTED = ("CIDEr", "Bleu_4", "ROUGE_L", "EntityScore")


def needed_files(cfg: FAVDConfig) -> list[Path]:
    root = Path(cfg.data.root)
    splits = (cfg.data.train_split, cfg.data.eval_split)
    need = [root / "metadata" / cfg.data.caption_file.format(split=s) for s in splits]
    need += [root / "audio_hdf" / f"{s}_mp3.hdf" for s in splits]
    need += [root / "frames" / f"{s}-{cfg.data.num_frames}frames" for s in splits]
    need += [Path(cfg.data.vocab_file), Path(cfg.init.video_swin), Path(cfg.init.passt)]
    return need


def report(results: dict) -> dict:
    """The profile's answer: CIDEr as the metric, and a table of the model against the constant description."""
    rows = [{"system": "AVLFormer (ours)", **{k: results.get(k) for k in REPORTED}},
            {"system": "constant description", **{k: results.get("baseline_" + k) for k in REPORTED}}]
    return {"metric": "CIDEr", "ours": results["CIDEr"], "baseline": results["baseline_CIDEr"],
            "baseline_name": "constant description (the consensus training paragraph)", "rows": rows,
            **{k: results.get(k) for k in REPORTED}, **{f"baseline_{k}": results.get(f"baseline_{k}") for k in REPORTED}}


def smoke(run: Run) -> dict:
    from dataclasses import replace

    import torch

    from favd.train import run as train_run

    # a tiny model: one thread is faster on a shared CPU, and the figures do not move with the machine's core
    # count (two threads sum in another order: CIDEr 3.71 instead of 3.79)
    torch.set_num_threads(1)
    cfg = load_config(CONFIG_DIR / "smoke.py")
    data = run.out / "data"
    cfg = replace(cfg, data=replace(cfg.data, root=str(data), vocab_file=str(data / "vocab.txt")))
    with run.step("train and evaluate the tiny AVLFormer on the generated set"):
        results = train_run(cfg, run.out, resume=False)
    plot_metric([run.out], "train/loss", run.out / "loss.png")
    return report(results)


def dryrun(run: Run) -> dict:
    from favd.dryrun import run_dryrun

    return run_dryrun(run)


def full(run: Run) -> dict:
    cfg = load_config(PAPER_CONFIG)
    run.require(needed_files(cfg), PREPARE)
    with run.step("train favd_32frm (AVLFormer) and evaluate on the test split"):
        args = ["--config", str(PAPER_CONFIG), "--run-dir", str(run.out), *(["--no-resume"] if run.fresh else [])]
        run.sh(train_command("favd.train", args))  # on the most GPUs the recipe's global batch splits over
    plot_metric([run.out], "train/loss", run.out / "loss.png")
    return report(json.loads((run.out / "results.json").read_text()))


if __name__ == "__main__":
    main(__doc__, {"smoke": smoke, "dryrun": dryrun, "full": full})
