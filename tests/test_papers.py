"""What every paper owes, tested once for all of them: the papers are discovered, not listed.

A paper (see CONTRIBUTING.md) is a top-level package with a `reproduce.py`. Each gets, for free:
its required files, its README's standard sections, `reproduce --help` with the three profiles, every
config loading and building its model on the meta device, and its training loss running forward and
backward on the meta device at the config's shapes (a tensor made on the wrong device fails there).
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from shared.config import load_config
from shared.papers import discover

ROOT = Path(__file__).resolve().parents[1]
PAPERS = discover(ROOT)

REQUIRED_FILES = ("__init__.py", "README.md", "requirements.txt", "config.py", "model.py", "convert.py", "data.py",
                  "synthetic.py", "prepare.py", "train.py", "evaluate.py", "metrics.py", "reproduce.py",
                  "configs/smoke.py")
# a README section is found by the start of its heading, so "## Model (`model.py`)" counts as "## Model"
README_SECTIONS = ("## The paper", "## Model", "## Data", "## Commands", "## Fidelity", "## Results",
                   "## What could not be run here")
PROFILES = ("smoke", "dryrun", "full")


def config_files(paper: str) -> list[Path]:
    """The paper's experiment configs: every configs/*.py except private helpers (`_*.py`)."""
    return sorted(p for p in (ROOT / paper / "configs").glob("*.py") if not p.name.startswith("_"))


CONFIGS = [pytest.param(paper, path, id=f"{paper}/{path.stem}") for paper in PAPERS for path in config_files(paper)]


def test_papers_are_discovered() -> None:
    assert "shared" not in PAPERS and "tests" not in PAPERS
    assert PAPERS, "no paper found: a paper is a top-level package with a reproduce.py"


@pytest.mark.parametrize("paper", PAPERS)
def test_required_files(paper: str) -> None:
    missing = [f for f in REQUIRED_FILES if not (ROOT / paper / f).is_file()]
    assert not missing, f"{paper}/ lacks {missing}"
    assert (ROOT / "tests" / paper).is_dir(), f"tests/{paper}/ is missing"


@pytest.mark.parametrize("paper", PAPERS)
def test_readme_has_the_standard_sections(paper: str) -> None:
    headings = [line for line in (ROOT / paper / "README.md").read_text().splitlines() if line.startswith("## ")]
    missing = [s for s in README_SECTIONS if not any(h.startswith(s) for h in headings)]
    assert not missing, f"{paper}/README.md lacks the sections {missing}; it has {headings}"


@pytest.mark.parametrize("paper", PAPERS)
def test_reproduce_help_names_every_profile(paper: str) -> None:
    proc = subprocess.run([sys.executable, "-m", f"{paper}.reproduce", "--help"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "{" + ",".join(PROFILES) + "}" in proc.stdout, f"{paper}: profiles must be {PROFILES}:\n{proc.stdout}"


@pytest.mark.parametrize(("paper", "path"), CONFIGS)
def test_config_builds_its_model_on_meta_and_its_loss_runs_there(paper: str, path: Path) -> None:
    cfg = load_config(path)
    model_module = importlib.import_module(f"{paper}.model")
    synthetic = importlib.import_module(f"{paper}.synthetic")
    with torch.device("meta"):
        model = model_module.build_model(cfg)
    assert isinstance(model, torch.nn.Module)
    assert sum(p.numel() for p in model.parameters()) > 0
    assert all(p.device.type == "meta" for p in model.parameters())
    loss = synthetic.example_loss(model, cfg, torch.device("meta"))
    assert loss.device.type == "meta" and loss.ndim == 0
    loss.backward()
    trained = [p for p in model.parameters() if p.requires_grad]
    assert trained and any(p.grad is not None for p in trained), f"{path}: no gradient reached the model"
