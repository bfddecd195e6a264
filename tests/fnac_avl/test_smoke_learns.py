"""The smoke profile learns: on the generated colour/tone clips the trained model localises the sounding shape
clearly more often than the untrained one (the same check `reproduce.py --profile smoke` ends with).

This is the whole smoke training (about 50 s of one CPU core), the one slow test of this folder."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from fnac_avl.reproduce import MARGIN, check_margin
from fnac_avl.train import run
from shared.config import load_config

SMOKE = Path(__file__).parents[2] / "fnac_avl" / "configs" / "smoke.py"


def test_smoke_training_beats_untrained_model(tmp_path):
    cfg = load_config(SMOKE)
    root = cfg.data.generate
    # the generated data goes to the test's folder instead of runs/
    moved = {f.name: getattr(cfg.data, f.name).replace(root, str(tmp_path / "data"))
             for f in dataclasses.fields(cfg.data) if isinstance(getattr(cfg.data, f.name), str)}
    cfg = dataclasses.replace(cfg, data=dataclasses.replace(cfg.data, **moved))
    run(cfg, tmp_path / "run", resume=False)
    results = json.loads((tmp_path / "run" / "results.json").read_text())
    assert results["ours"] >= results["baseline"] + MARGIN
    check_margin(results)
