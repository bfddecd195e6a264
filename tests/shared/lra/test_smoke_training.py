"""A short ListOps run from generated data, through shared.lra.train and the shared trainer, must learn."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from shared.config import apply_overrides, load_config
from shared.lra.train import run

ROOT = Path(__file__).resolve().parents[3]


def test_listops_smoke_learns_above_majority(tmp_path: Path) -> None:
    cfg = load_config(ROOT / "shared/lra/configs/listops_smoke.py")
    # a lighter copy of the smoke profile, to stay well under a minute on two busy cores
    cfg = apply_overrides(cfg, [
        f"data.data_dir={tmp_path / 'data'}", "data.gen_num_train=1500", "data.gen_num_test=300", "data.gen_num_val=100",
        "data.gen_max_depth=2", "data.gen_max_length=8", "data.max_length=8", "train.max_steps=150", "train.ckpt_every=1000", "model.num_layers=1", "model.emb_dim=48", "model.qkv_dim=48",
        "model.mlp_dim=96", "train.optim.lr=3e-3",
    ])
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a tiny model on busy cores: more threads only contend (10x slower here)
    try:
        results = run(cfg, tmp_path / "run", resume=False)
    finally:
        torch.set_num_threads(threads)
    saved = json.loads((tmp_path / "run" / "results.json").read_text())
    assert saved["metric"] == "accuracy" and saved["ours"] == results["accuracy"]
    assert saved["baseline"] == saved["majority_baseline"] < 0.25
    assert saved["accuracy"] > saved["majority_baseline"] + 0.2, saved
    assert (tmp_path / "data" / "basic_train.tsv").is_file()
