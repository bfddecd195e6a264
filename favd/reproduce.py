"""Reproduce AVLFormer on FAVDBench: `python -m favd.reproduce --profile {full,smoke} [--out DIR]`.

smoke: generates the shapes-and-tones set, trains the tiny model on CPU, evaluates, and writes
       DIR/results.json (CIDEr and EntityScore for the model and for a constant description), results.md, loss.png.
full:  needs FAVDBench under datasets/ (see `python -m favd.prepare`); trains favd/configs/favd_32frm.py with
       torchrun on every local GPU.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from shared.config import load_config
from shared.launch import run, train_command
from shared.results import markdown_table, plot_metric

CONFIG_DIR = Path(__file__).resolve().parent / "configs"
CONFIGS = {"smoke": str(CONFIG_DIR / "smoke.py"), "full": str(CONFIG_DIR / "favd_32frm.py")}
PREPARE = "python -m favd.prepare --root datasets"


def missing_inputs(cfg) -> list[str]:
    root = Path(cfg.data.root)
    need = [root / "metadata" / cfg.data.caption_file.format(split=s) for s in (cfg.data.train_split, cfg.data.eval_split)]
    need += [root / "audio_hdf" / f"{s}_mp3.hdf" for s in (cfg.data.train_split, cfg.data.eval_split)]
    need += [root / "frames" / f"{s}-{cfg.data.num_frames}frames" for s in (cfg.data.train_split, cfg.data.eval_split)]
    need.append(Path(cfg.data.vocab_file))
    return [str(p) for p in need if not p.exists()]


def write_report(out: Path) -> None:
    r = json.loads((out / "results.json").read_text())
    rows = [{"system": "AVLFormer (ours)", **{k: r.get(k) for k in ("CIDEr", "Bleu_4", "ROUGE_L", "EntityScore")}},
            {"system": "constant description", **{k: r.get("baseline_" + k)
                                                  for k in ("CIDEr", "Bleu_4", "ROUGE_L", "EntityScore")}}]
    table = markdown_table(rows)
    (out / "results.md").write_text(table + "\n")
    plot_metric([out], "train/loss", out / "loss.png")
    print(table)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", choices=tuple(CONFIGS), default="full")
    parser.add_argument("--out", type=Path, default=None, help="run folder (default runs/favd/<profile>)")
    args = parser.parse_args(argv)
    out = args.out or Path("runs/favd") / args.profile
    cfg = load_config(CONFIGS[args.profile])
    if args.profile == "smoke":
        from favd.train import run as train_run

        shutil.rmtree(out, ignore_errors=True)  # a fresh run each time
        train_run(cfg, out, resume=False)
        write_report(out)
        return
    missing = missing_inputs(cfg)
    if missing:
        print(f"FAVDBench is not prepared: missing {', '.join(missing[:4])}{' ...' if len(missing) > 4 else ''}\n"
              f"prepare it with:\n  {PREPARE}", file=sys.stderr)
        sys.exit(2)
    run(train_command("favd.train", ["--config", CONFIGS["full"], "--run-dir", str(out)]))
    write_report(out)


if __name__ == "__main__":
    main()
