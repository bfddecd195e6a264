"""Training end to end on generated LLP-layout data: the full method's code path, and learning."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
import torch

from avvp_clip.config import GeneratorConfig, HANConfig
from avvp_clip.evaluate import main as evaluate_main
from avvp_clip.train import run
from shared.config import load_config

ROOT = Path(__file__).resolve().parents[2]
BASELINE = {"segment_pseudo": False, "richness": False, "visual_video_from_pseudo": False}


def config(data_root: Path, gen: GeneratorConfig, epochs: int, denoise: bool, **loss):
    cfg = load_config(ROOT / "avvp_clip" / "configs" / "smoke.py")
    return dataclasses.replace(
        cfg,
        data=dataclasses.replace(cfg.data, root=str(data_root / "data"), generator=gen),
        model=HANConfig(d_model=32, ffn_dim=32),
        loss=dataclasses.replace(cfg.loss, **loss),
        pseudo=dataclasses.replace(cfg.pseudo, denoise=denoise),
        epochs=epochs,
        lr_step_epochs=100,
        train=dataclasses.replace(cfg.train, optim=dataclasses.replace(cfg.train.optim, lr=2e-3)),
    )


def test_full_method_runs_denoises_and_writes_results(tmp_path: Path) -> None:
    gen = GeneratorConfig(num_train=32, num_val=8, num_test=8)
    results = run(config(tmp_path, gen, epochs=2, denoise=True), tmp_path / "run")
    saved = json.loads((tmp_path / "run" / "results.json").read_text())
    for key in ("metric", "ours", "test_seg_type_av", "test_event_event_av", "best_val_seg_type_av",
                "pseudo_seg_visual", "denoise_flipped", "before_denoising_test_seg_type_av"):
        assert key in saved, key
    assert saved["ours"] == results["ours"] == results["test_seg_type_av"]
    assert (tmp_path / "run" / "before_denoising" / "best_model.pt").is_file()
    assert (tmp_path / "run" / "best_model.pt").is_file()
    assert saved["step"] == 2 * 32 // 16


def test_resume_continues_and_keeps_the_best_epoch(tmp_path: Path) -> None:
    gen = GeneratorConfig(num_train=32, num_val=8, num_test=8)
    first = run(config(tmp_path, gen, epochs=2, denoise=False), tmp_path / "run")
    second = run(config(tmp_path, gen, epochs=3, denoise=False), tmp_path / "run", resume=True)
    assert second["step"] == 6
    assert second["best_val_seg_type_av"] >= first["best_val_seg_type_av"]
    best = torch.load(tmp_path / "run" / "best_model.pt", weights_only=True)
    assert best["scores"]["seg_type_av"] == second["best_val_seg_type_av"]
    assert evaluate_main(["--checkpoint", str(tmp_path / "run" / "best_model.pt"), "--data-root",
                          str(tmp_path / "data")]) == {k.removeprefix("test_"): v for k, v in second.items()
                                                      if k.startswith("test_")}


def test_pseudo_labels_beat_video_labels_only_at_segment_level(tmp_path: Path) -> None:
    gen = GeneratorConfig(num_train=96, num_val=16, num_test=40)
    baseline = run(config(tmp_path, gen, epochs=20, denoise=False, **BASELINE), tmp_path / "baseline")
    ours = run(config(tmp_path, gen, epochs=20, denoise=False), tmp_path / "ours")
    assert ours["pseudo_seg_visual"] > 60  # the generated CLIP probabilities are informative
    assert ours["test_seg_visual"] > baseline["test_seg_visual"] + 8
    assert ours["test_seg_type_av"] > baseline["test_seg_type_av"] + 4


def test_denoising_needs_pseudo_labels(tmp_path: Path) -> None:
    gen = GeneratorConfig(num_train=16, num_val=4, num_test=4)
    with pytest.raises(ValueError, match="pseudo.denoise needs pseudo labels"):
        run(config(tmp_path, gen, epochs=1, denoise=True, **BASELINE), tmp_path / "run")


def test_full_profile_without_data_prints_the_prepare_command(tmp_path: Path) -> None:
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "avvp_clip.reproduce", "--profile", "full", "--out",
                           str(tmp_path / "out"), "--data-root", str(tmp_path / "no_data")],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2, proc.stderr
    assert f"python -m avvp_clip.prepare --root {tmp_path / 'no_data' / 'llp'}" in proc.stderr


def test_results_label_the_unverified_details_and_count_empty_rows(tmp_path: Path) -> None:
    gen = GeneratorConfig(num_train=16, num_val=4, num_test=4)
    saved = run(config(tmp_path, gen, epochs=1, denoise=False), tmp_path / "run")
    details = saved["unverified_method_details"]
    assert set(details) >= {"clip_prompt", "clip_frame", "clip_threshold", "richness_loss", "denoise_rule"}
    assert all(d["flag"] for d in details.values())
    assert details["clip_threshold"]["value"] == 0.04
    assert saved["annotation_rows_read_as_empty"] == {"val": {"audio": 4, "visual": 0},
                                                      "test": {"audio": 4, "visual": 0}}
