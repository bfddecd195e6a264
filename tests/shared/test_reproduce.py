"""The reproduce harness: folders, the fresh/resume rule, results files, missing inputs, failed steps;
the dryrun row's arithmetic; the golden comparison's refusals."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
import torch

from shared import paths
from shared.dryrun import row
from shared.reproduce import LOG_FILE, MARKER, Run, main
from shared.testing import GoldenFiles, assert_close_to_golden, seeded_state_dict, state_dict_spec

CALLS: list[Run] = []


def smoke(run: Run) -> dict:
    CALLS.append(run)
    print("a detail for the log")
    generated = run.out / "data" / "generated.txt"
    if not generated.exists():  # generated data is made once and reused
        generated.parent.mkdir(exist_ok=True)
        generated.write_text(f"made by call {len(CALLS)}")
    (run.out / "model.pt").write_text("made by this run")
    return {"metric": "acc", "ours": 0.9, "baseline": 0.5}


def full(run: Run) -> dict:
    CALLS.append(run)
    run.require([run.dataset("toyset") / "train.csv"], "python -m toy.prepare")
    return {"rows": [{"experiment": "a", "acc": 0.7}, {"experiment": "b", "acc": 0.8}]}


def failing(run: Run) -> dict:
    with run.step("train"):
        run.sh([sys.executable, "-c", "print('boom detail'); raise SystemExit(3)"])
    return {}


PROFILES = {"smoke": smoke, "dryrun": failing, "full": full}


def test_default_folder_fresh_rule_and_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture) -> None:
    monkeypatch.chdir(tmp_path)
    CALLS.clear()
    results = main("doc", PROFILES, ["--profile", "smoke"])
    out = tmp_path / "runs" / "tests" / "smoke"  # runs/<paper>/<profile>; the paper: the top package of the profiles
    assert CALLS[0].out == Path("runs/tests/smoke") and CALLS[0].fresh
    assert results["ours"] == 0.9 and results["profile"] == "smoke"
    assert json.loads((out / "results.json").read_text())["baseline"] == 0.5
    assert "| ours | 0.9 |" in (out / "results.md").read_text()
    assert "a detail for the log" in (out / LOG_FILE).read_text()  # prints go to the log, not the console
    assert "a detail for the log" not in capsys.readouterr().out
    (out / "stale.txt").write_text("from an earlier run")
    main("doc", PROFILES, ["--profile", "smoke"])  # smoke is fresh: the folder is emptied except data/
    assert not (out / "stale.txt").exists() and (out / "data" / "generated.txt").read_text() == "made by call 1"
    (out / "stale.txt").write_text("kept when resuming")
    main("doc", PROFILES, ["--profile", "smoke", "--resume"])
    assert (out / "stale.txt").exists()


def test_full_resumes_by_default_and_missing_inputs_exit_2_with_the_prepare_command(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(paths.DATA_ENV, raising=False)
    CALLS.clear()
    with pytest.raises(SystemExit) as exit_info:
        main("doc", PROFILES, ["--profile", "full", "--out", "o", "--data-root", "elsewhere"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "elsewhere/toyset/train.csv" in err and "python -m toy.prepare" in err
    assert CALLS[0].fresh is False and CALLS[0].data_root == Path("elsewhere")
    (tmp_path / "elsewhere" / "toyset").mkdir(parents=True)
    (tmp_path / "elsewhere" / "toyset" / "train.csv").write_text("x\n")
    main("doc", PROFILES, ["--profile", "full", "--out", "o", "--data-root", "elsewhere"])
    table = (tmp_path / "o" / "results.md").read_text()
    assert table.splitlines()[0] == "| experiment | acc |" and "| b | 0.8 |" in table


def test_a_failed_step_exits_1_and_shows_the_log_tail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        main("doc", PROFILES, ["--profile", "dryrun"])
    assert exit_info.value.code == 1
    captured = capsys.readouterr()
    assert "boom detail" in captured.out and "train failed" in captured.out
    assert "exited with status 3" in captured.err


def test_a_folder_the_harness_did_not_make_is_never_emptied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("precious")
    with pytest.raises(SystemExit, match="not empty and was not made by a reproduction"):
        main("doc", PROFILES, ["--profile", "smoke", "--out", "mine"])
    assert (tmp_path / "mine" / "thesis.tex").read_text() == "precious"
    assert not (tmp_path / "mine" / MARKER).exists()


def test_dryrun_row_estimates_the_recipe_from_the_median_step() -> None:
    r = row("x", "cpu", 10, [0.5, 0.1, 0.2, 9.0, 0.3], batch=4, recipe_batch=16, recipe_steps=9000,
            reference_parameters=12, reference_source="paper")
    # median 0.3 s at 4 samples -> 1.2 s per step of 16 -> 9000 steps = 3 h; 8 devices 0.375 h
    assert r["step_time_s"] == 0.3 and r["throughput"] == pytest.approx(13.33, abs=0.01)
    assert r["estimate_hours"] == 3.0 and r["estimate_hours_8x"] == pytest.approx(0.38, abs=0.005)
    assert r["peak_memory_mb"] > 10  # this process's resident set


def test_golden_comparison_is_relative_and_refuses_tiny_goldens(tmp_path: Path) -> None:
    expected = torch.tensor([2.0, -3.0, 0.5])
    assert_close_to_golden(expected + 2e-4, expected)  # 2e-4 <= 1e-4 x 3
    with pytest.raises(AssertionError, match="max abs diff"):
        assert_close_to_golden(expected + 4e-4, expected)
    with pytest.raises(AssertionError, match="too small to test with"):
        assert_close_to_golden(expected * 0.01, expected * 0.01)
    torch.save({"y": expected}, tmp_path / "out.pt")
    golden = GoldenFiles(tmp_path)
    assert golden["out.pt"]["y"].equal(expected) and golden["out.pt"] is golden["out.pt"]
    with pytest.raises(FileNotFoundError, match="README.md"):
        golden["missing.pt"]


def test_seeded_state_dict_is_reproducible_and_sized_for_order_one_activations() -> None:
    spec = state_dict_spec(torch.nn.Sequential(torch.nn.Linear(256, 64), torch.nn.BatchNorm1d(64)).state_dict())
    a, b = seeded_state_dict(spec, 3), seeded_state_dict(spec, 3)
    assert all(a[k].equal(b[k]) for k in a) and not a["0.weight"].equal(seeded_state_dict(spec, 4)["0.weight"])
    assert 0.5 < a["0.weight"].std().item() * 256**0.5 < 1.5  # fan-in scaled
    assert a["1.running_var"].min() >= 0.5 and a["1.num_batches_tracked"].dtype == torch.int64


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


CHILD = """import sys, time
print('epoch 1 loss 2.0')
for p in (10, 50, 100):
    sys.stderr.write(f'\\rtrain {p}%|\\x1b[32m###\\x1b[0m|'); sys.stderr.flush(); time.sleep(0.3)
sys.stderr.write('\\n')
"""


def test_a_commands_progress_is_shown_in_place_on_a_terminal_and_all_of_it_is_logged(tmp_path: Path) -> None:
    shown = {}
    for name, console in (("terminal", Terminal()), ("pipe", io.StringIO())):
        out = tmp_path / name
        out.mkdir()
        run = Run("toy", "smoke", out, tmp_path, tmp_path, True, console=console)
        run.sh([sys.executable, "-c", CHILD])
        log = (out / LOG_FILE).read_bytes().decode()  # bytes: read_text would turn \r into \n
        assert "epoch 1 loss 2.0" in log and "\rtrain 100%" in log, "everything the command wrote is logged"
        shown[name] = console.getvalue()
    # the bar's states rewrite one line in place (its colour codes removed), then the line is cleared
    assert "\r  train 50%|###|\x1b[K" in shown["terminal"] and shown["terminal"].endswith("\r\x1b[K")
    assert "\n" not in shown["terminal"], "no console line of its own"
    assert shown["pipe"] == "", "off a terminal (CI, a redirected console) the command stays in the log"
