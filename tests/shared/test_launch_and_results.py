from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from shared.launch import train_command
from shared.results import load_results, main, markdown_table, plot_metric
from shared.runlog import RunLogger


def test_train_command_uses_torchrun_for_several_gpus() -> None:
    assert train_command("tnn.train", ["--config", "c.py"], processes=1) == [sys.executable, "-m", "tnn.train", "--config", "c.py"]
    cmd = train_command("tnn.train", ["--config", "c.py"], processes=4)
    assert cmd[:3] == [sys.executable, "-m", "torch.distributed.run"]
    assert "--nproc_per_node=4" in cmd and cmd[-4:] == ["-m", "tnn.train", "--config", "c.py"]


@pytest.mark.parametrize(("gpus", "batch", "accum", "processes"), [(8, 20, 1, 5), (8, 4, 1, 4), (3, 256, 1, 2),
                                                                    (8, 16, 4, 4), (0, 16, 1, 1), (7, 7, 1, 7)])
def test_train_command_keeps_the_global_batch_whole(monkeypatch: pytest.MonkeyPatch, gpus: int, batch: int,
                                                     accum: int, processes: int) -> None:
    monkeypatch.setattr("shared.launch.local_gpus", lambda: gpus)
    cmd = train_command("x.train", [], global_batch=batch, grad_accum=accum)
    assert (f"--nproc_per_node={processes}" in cmd) if processes > 1 else cmd == [sys.executable, "-m", "x.train"]


def test_train_command_reads_the_batch_of_its_config_and_sets(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr("shared.launch.local_gpus", lambda: 8)
    config = tmp_path / "exp.py"
    config.write_text("from dataclasses import dataclass, field\nfrom shared.trainer import TrainerConfig\n\n\n"
                      "@dataclass\nclass Exp:\n    train: TrainerConfig = field(default_factory=TrainerConfig)\n\n\n"
                      "def get_config():\n    return Exp(train=TrainerConfig(batch_size=20))\n")
    assert "--nproc_per_node=5" in train_command("x.train", ["--config", str(config)])
    with_sets = train_command("x.train", ["--config", str(config), "--set", "train.batch_size=12", "--set",
                                          "train.grad_accum=2"])
    assert "--nproc_per_node=6" in with_sets  # 12 = 6 processes x 2 micro-batches
    assert "--nproc_per_node=8" in train_command("x.train", ["--other", "1"])  # no config: every GPU


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


def test_metric_kept_only_in_results_json_is_drawn_per_run(tmp_path: Path, capsys) -> None:
    """A smoke run logs train/loss as it goes and puts its final metric (here `miou`) only in results.json."""
    runs = []
    for name, miou in (("a", 0.25), ("b", 0.5)):
        logger = RunLogger(tmp_path / name)
        logger.log(1, "train", {"loss": 1.0})
        logger.write_results({"miou": miou, "step": 1})
        logger.close()
        runs.append(str(tmp_path / name))
    main([*runs, "--metric", "miou", "--out", str(tmp_path / "report")])
    assert (tmp_path / "report.png").stat().st_size > 1000
    import matplotlib.image

    image = matplotlib.image.imread(tmp_path / "report.png")
    blue = (image[..., 2] > 0.6) & (image[..., 0] < 0.3)  # matplotlib's first colour: the bars
    columns = blue.any(axis=0).nonzero()[0]
    heights = [blue[:, c].sum() for c in (columns.min() + 2, columns.max() - 2)]
    assert heights[1] == pytest.approx(2 * heights[0], rel=0.05), "bar b (0.5) is twice bar a (0.25)"
    assert "| a |" in capsys.readouterr().out


def test_unknown_metric_names_what_the_runs_have(tmp_path: Path) -> None:
    run = make_run(tmp_path / "a", [2.0, 1.0], 0.75)
    with pytest.raises(SystemExit) as err:
        main([str(run), "--metric", "eval/miou", "--out", str(tmp_path / "report")])
    message = str(err.value)
    assert "no run logged 'eval/miou'" in message
    assert "metrics.jsonl holds: eval/accuracy, train/loss" in message
    assert "results.json holds: accuracy, step" in message
    assert not (tmp_path / "report.png").exists() and not (tmp_path / "report.md").exists()
    with pytest.raises(ValueError, match="no run logged 'train/miou'"):
        plot_metric([run], "train/miou", tmp_path / "x.png")
