"""The dryrun profile's wiring on small models (the profile itself runs the paper's sizes): the fairseq route
(fairseq-train, fairseq-eval-lm), timed steps and the ImageNet recipe, one row each."""

from __future__ import annotations

import argparse
from dataclasses import replace

import torch

from shared.reproduce import Run
from tnn.config import TnnConfig, deit_tiny_config, imagenet_config, wikitext103_alm_config
from tnn.model import build_model
from tnn.reproduce import run_dryrun


def test_dryrun_entry_runs_both_experiments_and_reports_rows(tmp_path):
    torch.set_num_threads(1)
    base = wikitext103_alm_config()
    lm = replace(base, model=TnnConfig(vocab_size=48, embed_dim=16, num_layers=1, glu_dim=16, rpe_dim=8, rpe_layers=1))
    image = imagenet_config(deit_tiny_config(image_size=32, patch_size=8, embed_dim=16, glu_dim=16, num_layers=1,
                                             rpe_dim=8, num_classes=4))
    flags = ["--decoder-embed-dim", "16", "--decoder-layers", "1", "--rpe-embedding", "8", "--rpe-layers", "1"]
    (tmp_path / "out").mkdir()
    run = Run(paper="tnn", profile="dryrun", out=tmp_path / "out", data_root=tmp_path / "data",
              weights_root=tmp_path / "weights", fresh=True, args=argparse.Namespace())
    rows = run_dryrun(run, lm, image, flags)["rows"]
    assert [r["experiment"].split()[0] for r in rows] == ["wikitext103_alm", "imagenet"]
    model = build_model(lm)
    assert rows[0]["parameters"] == sum(t.numel() for t in [*model.parameters(), *model.buffers()])
    assert rows[0]["parameters_reference"] == 48_677_376 and rows[1]["parameters_reference"] is None  # 16-wide
    for row in rows:
        assert row["step_time_s"] > 0 and row["peak_memory_mb"] > 0 and row["estimate_hours"] > 0
    assert rows[0]["test_ppl_after_dryrun"] > 1 and 0 <= rows[1]["top1_after_dryrun"] <= 1
    assert (tmp_path / "out" / "extrapolation.md").is_file()
