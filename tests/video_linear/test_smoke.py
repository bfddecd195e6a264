"""The smoke profile end to end: generated videos, training, multi-view test, results.json. It must learn
motion: the video model clearly beats the same model trained on single frames. And the dryrun entry's
wiring on a shrunk model (the paper-size run is `make video_linear PROFILE=dryrun`)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from shared.checkpoint import latest_checkpoint
from shared.reproduce import Run
from video_linear.evaluate import main as evaluate

ROOT = Path(__file__).resolve().parents[2]


def test_smoke_learns_motion(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "video_linear.reproduce", "--profile", "smoke", "--out",
                           str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["metric"] == "top1_acc"
    assert results["ours"] >= 70.0, results
    assert results["ours"] >= results["baseline"] + 30.0, results
    assert (tmp_path / "results.md").is_file() and (tmp_path / "video" / "metrics.jsonl").is_file()

    # the evaluation entry point recomputes the same multi-view accuracy from the saved checkpoint
    out = tmp_path / "eval.json"
    assert evaluate(["--config", str(ROOT / "video_linear" / "configs" / "smoke.py"), "--checkpoint",
                     str(latest_checkpoint(tmp_path / "video" / "checkpoints")),
                     "--set", f"data.root={tmp_path / 'data' / 'motion_directions'}", "--out", str(out)]) == 0
    assert json.loads(out.read_text())["top1_acc"] == pytest.approx(results["ours"], abs=1e-6)


SHRINK = ("model.depth=1", "model.embed_dim=32", "model.num_heads=2", "model.head_hidden=32", "model.img_size=32",
          "model.patch_size=8", "model.patch_stride=7", "data.train_crop_size=32",
          "data.test_crop_size=32", "data.num_views=2", "init.source=none")


def test_dryrun_entry_runs_each_layout(tmp_path):
    """K400 (Kinetics csv + mp4), SSv2 (videofolder lists + VP9 .webm), Charades (frame lists + JPEGs)."""
    from video_linear.reproduce import dryrun

    out = tmp_path / "out"
    out.mkdir()
    run = Run(paper="video_linear", profile="dryrun", out=out, data_root=tmp_path / "data",
              weights_root=tmp_path / "weights", fresh=True)
    rows = {r["experiment"]: r for r in dryrun(run, overrides=SHRINK)["rows"]}
    assert set(rows) == {"k400", "ssv2", "charades"}
    assert rows["k400"]["recipe_batch"] == 32 and rows["k400"]["recipe_steps"] == 40 * (240_000 // 32)
    assert all(r["step_time_s"] > 0 for r in rows.values())
    assert json.loads((out / "charades" / "results.json").read_text())["metric"] == "map"
