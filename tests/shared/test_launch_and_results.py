from __future__ import annotations

import json
import sys
from pathlib import Path

from shared.launch import train_command
from shared.results import load_results, main, markdown_table, plot_metric
from shared.runlog import RunLogger


def test_train_command_uses_torchrun_for_several_gpus() -> None:
    assert train_command("tnn.train", ["--config", "c.py"], processes=1) == [sys.executable, "-m", "tnn.train", "--config", "c.py"]
    cmd = train_command("tnn.train", ["--config", "c.py"], processes=4)
    assert cmd[:3] == [sys.executable, "-m", "torch.distributed.run"]
    assert "--nproc_per_node=4" in cmd and cmd[-4:] == ["-m", "tnn.train", "--config", "c.py"]


def make_run(folder: Path, losses: list[float], accuracy: float) -> Path:
    logger = RunLogger(folder)
    for step, loss in enumerate(losses, start=1):
        logger.log(step, "train", {"loss": loss})
    logger.log(len(losses), "eval", {"accuracy": accuracy})
    logger.write_results({"accuracy": accuracy, "step": len(losses)})
    logger.close()
    return folder


def test_table_and_plot_from_run_folders(tmp_path: Path, capsys) -> None:
    a = make_run(tmp_path / "a", [2.0, 1.0, 0.5], 0.75)
    b = make_run(tmp_path / "b", [2.0, 1.5], 0.5)
    (tmp_path / "unfinished").mkdir()
    rows = load_results([a, b, tmp_path / "unfinished"])
    assert [r["run"] for r in rows] == ["a", "b"]
    table = markdown_table(rows, ["run", "accuracy", "step"])
    assert table.splitlines() == ["| run | accuracy | step |", "|---|---|---|", "| a | 0.75 | 3 |", "| b | 0.5 | 2 |"]
    png = plot_metric([a, b], "train/loss", tmp_path / "loss.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    main([str(a), str(b), "--metric", "eval/accuracy", "--out", str(tmp_path / "report")])
    assert (tmp_path / "report.md").read_text().startswith("| run |")
    assert (tmp_path / "report.png").stat().st_size > 1000
    assert "| a |" in capsys.readouterr().out


def test_resumed_logger_drops_records_after_the_checkpoint(tmp_path: Path) -> None:
    make_run(tmp_path, [3.0, 2.0, 1.0, 0.5], 0.9)
    with (tmp_path / "metrics.jsonl").open("a") as f:
        f.write('{"step": 5, "split": "tra')  # a line cut short by a kill
    RunLogger(tmp_path, resume_step=2).close()
    steps = [json.loads(line)["step"] for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert steps == [1, 2]
