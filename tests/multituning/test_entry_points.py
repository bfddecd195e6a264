"""What the entry points do without data: stop at once and say how to prepare it."""

from __future__ import annotations

from pathlib import Path

import pytest

from multituning import prepare, reproduce


def test_full_profile_without_data_names_the_prepare_commands(tmp_path: Path, monkeypatch, capsys) -> None:
    from shared.reproduce import main

    monkeypatch.delenv("REPRO_DATA", raising=False)
    monkeypatch.delenv("REPRO_WEIGHTS", raising=False)
    profiles = {"smoke": reproduce.smoke, "dryrun": reproduce.dryrun, "full": reproduce.full}
    with pytest.raises(SystemExit) as stop:
        main(reproduce.__doc__, profiles, ["--profile", "full", "--out", str(tmp_path / "out"), "--datasets",
                                           "dtd,cifar10", "--data-root", str(tmp_path / "d"), "--weights-root",
                                           str(tmp_path / "w")], add_arguments=reproduce.add_arguments)
    assert stop.value.code == 2
    message = capsys.readouterr().err
    assert str(tmp_path / "d" / "dtd") in message and str(tmp_path / "d" / "cifar10") in message
    for command in ("python -m multituning.prepare dtd", "python -m multituning.prepare cifar10",
                    "python -m multituning.prepare weights"):
        assert command in message


def test_stanford_cars_prepare_explains_the_manual_layout(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="cars_test_annos_withlabels.mat"):
        prepare.prepare("stanford_cars", tmp_path)
