"""What the entry points do without data: stop at once and say how to prepare it."""

from __future__ import annotations

from pathlib import Path

import pytest

from multituning import prepare, reproduce


def test_full_profile_without_data_names_the_prepare_commands(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)  # the paper configs read data/<dataset> relative to the working folder
    with pytest.raises(SystemExit) as stop:
        reproduce.main(["--profile", "full", "--out", str(tmp_path / "out"), "--datasets", "dtd,cifar10"])
    message = str(stop.value.code)
    assert "python -m multituning.prepare dtd --root data/dtd" in message
    assert "python -m multituning.prepare cifar10 --root data/cifar10" in message
    assert "python -m multituning.prepare weights --root data/weights" in message


def test_stanford_cars_prepare_explains_the_manual_layout(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="cars_test_annos_withlabels.mat"):
        prepare.prepare("stanford_cars", tmp_path)
