"""The dryrun profile's wiring on small models (the profile itself runs the paper's sizes): generated text,
fairseq-preprocess, fairseq-train, fairseq-eval-lm and a timed step, one row per model."""

from __future__ import annotations

import argparse

import torch

from shared.reproduce import Run
from transnormer.config import alm_experiment, with_model
from transnormer.model import build_model, count_parameters
from transnormer.reproduce import run_dryrun


def test_dryrun_entry_trains_evaluates_and_reports_a_row(tmp_path):
    torch.set_num_threads(1)
    small = dict(embed_dim=16, num_layers=2, num_heads=2, block_size=8, vocab_size=48)
    exp = with_model(alm_experiment("t1"), **small)
    flags = ["--tn-dim", "16", "--tn-layers", "2", "--tn-heads", "2", "--tn-block-size", "8"]
    (tmp_path / "out").mkdir()
    run = Run(paper="transnormer", profile="dryrun", out=tmp_path / "out", data_root=tmp_path / "data",
              weights_root=tmp_path / "weights", fresh=True, args=argparse.Namespace())
    rows = run_dryrun(run, {"t1": exp}, words=40, arch_flags=flags)["rows"]
    assert [r["experiment"] for r in rows] == ["wikitext103_alm_t1"]
    row = rows[0]
    assert row["parameters"] == count_parameters(build_model(exp)) and row["parameters_reference"] == 155_988_540
    assert row["step_time_s"] > 0 and row["peak_memory_mb"] > 0 and row["estimate_hours"] > 0
    assert row["test_ppl_after_dryrun"] > 1
    # the dictionary fairseq built holds every generated word; with its 4 specials, padded to a multiple of 8
    assert len((tmp_path / "out" / "data" / "bin-word" / "dict.txt").read_text().splitlines()) == 48 - 4
