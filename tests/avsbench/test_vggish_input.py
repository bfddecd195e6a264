"""Log-mel examples: against the original vggish_input on a WAV file, and a numpy re-implementation of mel_features."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile
import torch

from avsbench.vggish import waveform_to_examples, wavfile_to_examples

GOLDEN = Path(__file__).with_name("golden")



def _numpy_reference(samples: np.ndarray) -> np.ndarray:
    """The official mel_features algorithm written out in numpy (frame, periodic Hann, |rfft|, HTK mel, log)."""
    window, hop, fft = 400, 160, 512
    n = 1 + (len(samples) - window) // hop
    frames = np.stack([samples[i * hop: i * hop + window] for i in range(n)])
    hann = 0.5 - 0.5 * np.cos(2 * np.pi / window * np.arange(window))
    spec = np.abs(np.fft.rfft(frames * hann, fft))

    def mel(f):
        return 1127.0 * np.log(1.0 + f / 700.0)

    bins = mel(np.linspace(0.0, 8000.0, spec.shape[1]))
    edges = np.linspace(mel(125.0), mel(7500.0), 66)
    weights = np.empty((spec.shape[1], 64))
    for i in range(64):
        lo, c, hi = edges[i: i + 3]
        weights[:, i] = np.maximum(0.0, np.minimum((bins - lo) / (c - lo), (hi - bins) / (hi - c)))
    weights[0] = 0.0
    log_mel = np.log(spec @ weights + 0.01)
    k = (log_mel.shape[0] - 96) // 96 + 1
    return log_mel[: k * 96].reshape(k, 96, 64)[:, None]


def test_wavfile_examples_match_original_vggish_input():
    ours = wavfile_to_examples(GOLDEN / "tone.wav")
    theirs = torch.load(GOLDEN / "tone_log_mel.pt")["log_mel"]
    assert ours.shape == theirs.shape == (2, 1, 96, 64)
    assert (ours - theirs).abs().max().item() < 1e-4


def test_examples_match_numpy_reference(tmp_path):
    rng = np.random.default_rng(0)
    t = np.arange(int(16000 * 3.3)) / 16000
    wave = 0.4 * np.sin(2 * np.pi * 880 * t) + 0.1 * rng.standard_normal(t.size)
    path = tmp_path / "a.wav"
    soundfile.write(path, (wave * 32767).astype(np.int16), 16000, subtype="PCM_16")
    samples = soundfile.read(path, dtype="int16")[0] / 32768.0
    expected = _numpy_reference(samples)
    ours = wavfile_to_examples(path)
    assert ours.shape == (3, 1, 96, 64)
    np.testing.assert_allclose(ours.numpy(), expected.astype(np.float32), atol=1e-4)
    stereo = waveform_to_examples(np.stack([samples, samples], axis=1), 16000)
    np.testing.assert_allclose(stereo.numpy(), ours.numpy(), atol=1e-6)


def test_bad_wav_and_short_audio_errors(tmp_path):
    bad = tmp_path / "x.wav"
    bad.write_bytes(b"not audio")
    with pytest.raises(ValueError, match="x.wav"):
        wavfile_to_examples(bad)
    with pytest.raises(ValueError, match="shorter than one"):
        waveform_to_examples(np.zeros(8000), 16000)
