"""Spectrograms equal the original's `load_spectrogram` (PyAV decode + scipy) on the golden WAVs."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest
import torch

from fnac_avl.audio import load_spectrogram, load_waveform

GOLDEN = Path(__file__).parent / "golden"


def write_golden_wav(path: Path, seconds: float) -> None:
    sr = 8000
    t = np.arange(int(sr * seconds)) / sr
    rng = np.random.default_rng(3)
    x = 0.4 * np.sin(2 * np.pi * 440 * t) + 0.05 * rng.standard_normal(t.shape)
    pcm = (np.clip(x, -1, 1) * 32767).astype(np.int16)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes(pcm.tobytes())


@pytest.mark.parametrize("name,seconds", [("long", 4.1), ("short", 1.3)])
def test_spectrogram_matches_original(tmp_path, name, seconds):
    path = tmp_path / f"{name}.wav"
    write_golden_wav(path, seconds)
    golden = torch.load(GOLDEN / "spectrograms.pt")[name].numpy()
    ours = load_spectrogram(path)
    assert ours.shape == golden.shape == (257, 99)
    np.testing.assert_allclose(ours, golden, atol=1e-4)  # golden stored in float32


def test_centre_crop_and_tiling(tmp_path):
    path = tmp_path / "long.wav"
    write_golden_wav(path, 4.1)
    audio, rate = load_waveform(path)
    assert rate == 8000 and audio.shape == (24000,)
    short = tmp_path / "short.wav"
    write_golden_wav(short, 1.3)
    tiled, _ = load_waveform(short)
    assert tiled.shape == (24000,)
    np.testing.assert_array_equal(tiled[:10400], tiled[10400:20800])


def test_unreadable_audio_names_file(tmp_path):
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"not audio")
    with pytest.raises(ValueError, match="bad.wav"):
        load_spectrogram(bad)
