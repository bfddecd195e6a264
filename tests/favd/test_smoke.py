"""The smoke profile end to end (generated data, tiny AVLFormer on CPU, greedy decoding, metrics): the trained model
must beat the constant-description baseline clearly on CIDEr and EntityScore; the full profile without data stops
at once naming the prepare command."""

import json
from pathlib import Path

import pytest

from favd import reproduce
from shared.reproduce import main

PROFILES = {"smoke": reproduce.smoke, "dryrun": reproduce.dryrun, "full": reproduce.full}


def test_smoke_profile_learns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    main(reproduce.__doc__, PROFILES, ["--profile", "smoke", "--out", str(tmp_path / "run")])
    r = json.loads((tmp_path / "run" / "results.json").read_text())
    assert r["metric"] == "CIDEr" and r["ours"] == r["CIDEr"] and r["baseline"] == r["baseline_CIDEr"]
    assert r["CIDEr"] > 1.3 * r["baseline_CIDEr"]
    assert r["EntityScore"] > r["baseline_EntityScore"] + 0.04
    assert (tmp_path / "run" / "results.md").is_file() and (tmp_path / "run" / "loss.png").is_file()
    preds = json.loads((tmp_path / "run" / "predictions.json").read_text())
    assert len(preds) == 40 and {"image_id", "caption"} <= set(preds[0])


def test_full_profile_without_data_names_prepare_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("REPRO_DATA", raising=False)
    monkeypatch.delenv("REPRO_WEIGHTS", raising=False)
    with pytest.raises(SystemExit) as exc:
        main(reproduce.__doc__, PROFILES, ["--profile", "full"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "python -m favd.prepare --root data/favdbench --weights weights" in err
    assert "data/favdbench/metadata/train.caption.tsv" in err
