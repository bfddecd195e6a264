"""The dryrun entry on shrunk paper configs: the wiring of `make avvp_clip PROFILE=dryrun` (torchrun, the
paper configs, generated LLP-layout data, the results rows), in seconds."""

from __future__ import annotations

import json
from pathlib import Path

from avvp_clip.reproduce import dryrun
from shared.reproduce import Run


def test_dryrun_entry_gives_one_row_per_experiment(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    run = Run(paper="avvp_clip", profile="dryrun", out=out, data_root=tmp_path / "data",
              weights_root=tmp_path / "weights", fresh=True)
    result = dryrun(run, experiments=("han", "vpl_full"), overrides=("model.d_model=32", "model.ffn_dim=32"))
    rows = {r["experiment"]: r for r in result["rows"]}
    assert set(rows) == {"han", "vpl_full"}
    assert rows["han"]["recipe_steps"] == 40 * 625 and rows["vpl_full"]["recipe_steps"] == 2 * 40 * 625
    assert all(r["step_time_s"] > 0 and r["parameters"] > 0 for r in rows.values())
    saved = json.loads((out / "vpl_full" / "results.json").read_text())
    assert rows["vpl_full"]["peak_memory_mb"] == saved["peak_memory_mb"] > 0  # the training process's memory
    assert saved["annotation_rows_read_as_empty"]["test"]["audio"] == 4
    assert (out / "vpl_full" / "before_denoising" / "best_model.pt").is_file()
