"""The command line every `python -m <sub>.train` shares: --config, --set key=value, --run-dir."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from shared.config import ConfigError, apply_overrides, load_config, validate
from shared.runlog import default_run_dir


def train_parser(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--config", required=True, help="a config file (configs/*.py) or a run's config.json")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="override a config value, e.g. --set train.optim.lr=3e-4 (repeatable)")
    parser.add_argument("--run-dir", type=Path, default=None,
                        help="where to write the run (default: runs/<subproject>/<config>-<time>); "
                             "an existing run folder is resumed from its newest checkpoint")
    parser.add_argument("--no-resume", action="store_true", help="start from scratch even if checkpoints exist")
    return parser


def resolve(args: argparse.Namespace, subproject: str) -> tuple[Any, Path]:
    """The config with overrides applied, and the run folder; a bad config exits with its message."""
    try:
        cfg = apply_overrides(load_config(args.config), args.overrides)
        validate(cfg)
    except ConfigError as err:
        sys.exit(f"error: {err}")
    run_dir = args.run_dir
    if run_dir is None:
        name = Path(args.config).stem
        run_id = os.environ.get("TORCHELASTIC_RUN_ID")
        # under torchrun every process must agree on the folder: a clock read each could differ
        run_dir = Path("runs") / subproject / f"{name}-{run_id}" if run_id else default_run_dir(Path("runs") / subproject, name)
    return cfg, Path(run_dir)
