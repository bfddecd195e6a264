from __future__ import annotations

from pathlib import Path

import pytest

from shared.cli import resolve, train_parser

CONFIG = """
from shared.trainer import TrainerConfig
config = TrainerConfig(max_steps=5)
"""


def test_resolve_applies_overrides_and_names_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "smoke.py"
    path.write_text(CONFIG)
    monkeypatch.delenv("TORCHELASTIC_RUN_ID", raising=False)
    args = train_parser("x").parse_args(["--config", str(path), "--set", "max_steps=9", "--set", "optim.lr=0.5"])
    cfg, run_dir = resolve(args, "tnn")
    assert (cfg.max_steps, cfg.optim.lr) == (9, 0.5)
    assert run_dir.parent == Path("runs/tnn") and run_dir.name.startswith("smoke-")
    monkeypatch.setenv("TORCHELASTIC_RUN_ID", "abc")
    assert resolve(args, "tnn")[1] == Path("runs/tnn/smoke-abc"), "every torchrun process must agree"


def test_bad_override_exits_with_the_key(tmp_path: Path) -> None:
    path = tmp_path / "smoke.py"
    path.write_text(CONFIG)
    args = train_parser("x").parse_args(["--config", str(path), "--set", "max_step=9"])
    with pytest.raises(SystemExit, match="unknown config key 'max_step' \\(did you mean 'max_steps'\\?\\)"):
        resolve(args, "tnn")
