"""Adding a paper touches only `<paper>/` and `tests/<paper>/`: proven on a throwaway paper in a copy of the repo.

The toy paper below is also the smallest example of the contract in CONTRIBUTING.md.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NAME = "zz_toy_paper"
COPY_IGNORE = shutil.ignore_patterns(".venv", ".git", "runs", "data", "weights", "__pycache__", "*.pyc",
                                     ".pytest_cache", ".ruff_cache", ".gpu", "*.egg-info")

TOY = {
    "__init__.py": '"""A toy paper: the smallest package the contract accepts."""\n',
    "requirements.txt": "-c ../constraints.txt\n-r ../shared/requirements.txt\n",
    "README.md": "# Toy\n\n## The paper in five lines\nA linear map.\n\n## Model\nOne layer.\n\n## Data\nNone.\n\n"
                 "## Commands\n`make zz_toy_paper`\n\n## Fidelity\nExact.\n\n## Results\nNone.\n\n"
                 "## What could not be run here\nNothing.\n",
    "config.py": """
        from dataclasses import dataclass

        @dataclass
        class ToyConfig:
            width: int = 4
        """,
    "configs/smoke.py": """
        from zz_toy_paper.config import ToyConfig

        def get_config() -> ToyConfig:
            return ToyConfig()
        """,
    "model.py": """
        import torch

        def build_model(cfg) -> torch.nn.Module:
            return torch.nn.Linear(cfg.width, 1)
        """,
    "synthetic.py": """
        import torch

        def example_loss(model, cfg, device):
            return model(torch.ones(2, cfg.width, device=device)).square().mean()
        """,
    "reproduce.py": '''
        """Toy reproduction."""
        from shared.dryrun import row
        from shared.reproduce import main

        def smoke(run):
            return {"metric": "loss", "ours": 0.5, "baseline": 1.0}

        def dryrun(run):
            return {"rows": [row("toy", "cpu", 5, [0.1, 0.2, 0.3], batch=2, recipe_batch=4, recipe_steps=36000)]}

        full = smoke

        if __name__ == "__main__":
            main(__doc__, {"smoke": smoke, "dryrun": dryrun, "full": full})
        ''',
    **{f: '"""Toy."""\n' for f in ("convert.py", "data.py", "prepare.py", "train.py", "evaluate.py", "metrics.py")},
}


@pytest.fixture(scope="module")
def repo_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("repo") / "main"
    shutil.copytree(ROOT, copy, ignore=COPY_IGNORE)
    for rel, text in TOY.items():
        path = copy / NAME / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    (copy / "tests" / NAME).mkdir()
    (copy / "tests" / NAME / "test_toy.py").write_text(
        "from zz_toy_paper.model import build_model\nfrom zz_toy_paper.config import ToyConfig\n\n\n"
        "def test_width() -> None:\n    assert build_model(ToyConfig()).in_features == 4\n")
    return copy


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess:
    # not the settings of an outer `make test`: a nested make would print its directory changes
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    env["PYTHONPATH"] = str(cwd)
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env, timeout=900)


def test_make_lists_and_runs_the_new_paper(repo_copy: Path) -> None:
    help_text = _run(["make", "help"], repo_copy).stdout
    papers_line = next(line for line in help_text.splitlines() if line.startswith("papers:"))
    assert NAME in papers_line and "shared" not in papers_line.split(), help_text
    dry = _run(["make", "-n", NAME, "PROFILE=smoke"], repo_copy)
    assert f"-m {NAME}.reproduce --profile smoke" in dry.stdout, dry.stdout + dry.stderr


def test_discovery_packaging_and_environment_pick_it_up(repo_copy: Path) -> None:
    from setuptools import find_packages

    from shared.papers import discover

    assert NAME in discover(repo_copy) and "shared" not in discover(repo_copy)
    found = tomllib.loads((repo_copy / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    packages = find_packages(str(repo_copy), include=found["include"], exclude=found["exclude"])
    assert NAME in packages and "shared" in packages
    assert not any(p.split(".")[0] in ("tests", "bench", "scripts") for p in packages)
    # scripts/setup.sh installs `-r <paper>/requirements.txt` for every discovered paper
    setup = (repo_copy / "scripts" / "setup.sh").read_text()
    assert "*/reproduce.py" in setup and "requirements.txt" in setup


def test_generic_tests_and_boundaries_cover_the_new_paper(repo_copy: Path) -> None:
    proc = _run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_papers.py",
                 "tests/test_boundaries.py", f"tests/{NAME}", "-k", f"{NAME} or test_width"], repo_copy)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    # required files, README sections, --help, the config on meta, the boundary, and the paper's own test
    assert "6 passed" in proc.stdout, proc.stdout[-2000:]


def test_the_toy_reproduction_runs_through_the_harness(repo_copy: Path) -> None:
    out = repo_copy / "runs" / NAME / "smoke"
    proc = _run([sys.executable, "-m", f"{NAME}.reproduce", "--profile", "smoke"], repo_copy)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (out / "results.json").is_file() and (out / "results.md").is_file() and (out / "log.txt").is_file()
    assert "| metric | loss |" in (out / "results.md").read_text()


def test_gpu_check_reports_dryrun_rows_and_benchmarks(repo_copy: Path, tmp_path: Path) -> None:
    (repo_copy / "bench" / "zz_toy_bench.py").write_text('print("name, size, ours, baseline, ratio")\n'
                                                         'print("toy, 8, 1.000ms, 2.000ms, 2.00")\n')
    out = tmp_path / "gpu"
    proc = _run([sys.executable, "scripts/gpu/check.py", "--out", str(out), "--papers", NAME, "--bench", "zz_*.py",
                 "--runs", str(tmp_path / "runs")], repo_copy)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert sorted(p.name for p in out.iterdir()) == ["gpu_check.json", "gpu_check.md", "logs.tar.gz"]
    report = json.loads((out / "gpu_check.json").read_text())
    (toy,) = report["dryrun"]
    # 0.2 s median at batch 2 -> 0.4 s per recipe step of 4 -> 36000 steps = 4 h on one device, 0.5 h on 8
    assert toy["status"] == "ok" and toy["step_time_s"] == 0.2 and toy["estimate_hours"] == 4.0
    assert toy["estimate_hours_8x"] == 0.5
    assert report["bench"][0]["rows"] == ["toy, 8, 1.000ms, 2.000ms, 2.00"]


def test_gpu_check_reports_what_the_budget_left_out(repo_copy: Path, tmp_path: Path) -> None:
    (repo_copy / "bench" / "zz_toy_bench.py").write_text('print("toy, 8, 1.000ms, 2.000ms, 2.00")\n')
    out = tmp_path / "gpu"
    proc = _run([sys.executable, "scripts/gpu/check.py", "--out", str(out), "--papers", NAME, "--bench", "zz_*.py",
                 "--budget-s", "0", "--runs", str(tmp_path / "runs")], repo_copy)
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-2000:]  # a part that did not run is no pass
    report = json.loads((out / "gpu_check.json").read_text())
    assert report["dryrun"] == [{"paper": NAME, "status": "skipped: the check's time budget is spent"}]
    assert report["bench"][0]["status"].startswith("skipped") and "skipped" in (out / "gpu_check.md").read_text()
