"""The paper configs: HAN as published for the baseline, the method's switches only in the method's configs."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.config import load_config

CONFIGS = Path(__file__).resolve().parents[2] / "avvp_clip" / "configs"


def test_han_baseline_is_han_as_published() -> None:
    cfg = load_config(CONFIGS / "han.py")
    loss = cfg.loss
    assert not loss.visual_video_from_pseudo and not loss.segment_pseudo and not loss.richness
    assert (loss.visual_smoothing, loss.audio_smoothing) == (0.9, 1.0)  # main_avvp.py: v = 0.9, a = 1.0
    assert not cfg.pseudo.denoise
    assert (cfg.epochs, cfg.train.batch_size, cfg.train.optim.name, cfg.train.optim.lr) == (40, 16, "adam", 3e-4)


@pytest.mark.parametrize(("name", "richness", "denoise"), [("vpl_segment", False, False),
                                                           ("vpl_richness", True, False), ("vpl_full", True, True)])
def test_method_configs_switch_on_their_terms(name: str, richness: bool, denoise: bool) -> None:
    cfg = load_config(CONFIGS / f"{name}.py")
    assert cfg.loss.segment_pseudo and cfg.loss.visual_video_from_pseudo
    assert (cfg.loss.richness, cfg.pseudo.denoise) == (richness, denoise)


def test_data_root_follows_the_one_data_root(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("REPRO_DATA", str(tmp_path))
    assert load_config(CONFIGS / "vpl_full.py").data.root == str(tmp_path / "llp")
