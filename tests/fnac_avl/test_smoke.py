"""The smoke profile learns: on the generated colour/tone clips the trained model localises the sounding shape
clearly more often than the untrained one (the same check `reproduce.py --profile smoke` ends with).

This is the whole smoke training (about 50 s of one CPU core), the one slow test of this folder."""

from __future__ import annotations

import json

from fnac_avl.configs.smoke import get_config
from fnac_avl.reproduce import MARGIN, check_margin
from fnac_avl.train import run


def test_smoke_training_beats_untrained_model(tmp_path):
    cfg = get_config(str(tmp_path / "data"))  # the generated data goes to the test's folder instead of runs/
    run(cfg, tmp_path / "run", resume=False)
    results = json.loads((tmp_path / "run" / "results.json").read_text())
    assert results["ours"] >= results["baseline"] + MARGIN
    check_margin(results)
