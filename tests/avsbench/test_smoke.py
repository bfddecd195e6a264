"""The smoke profile learns: its model finds the sounding shape, which only the audio tells."""

from __future__ import annotations

from avsbench.train import run


def test_smoke_model_learns_to_use_the_audio(tmp_path, data_root, smoke_config):
    """Which of the two shapes sounds is random and only the tone tells: without audio the best expected
    IoU is about 0.5 (segmenting both shapes, or guessing one). The smoke model must clearly beat that."""
    results = run(smoke_config(data_root), tmp_path / "run")
    assert results["miou"] > 0.62, results
