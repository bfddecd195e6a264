"""VGGish: the official log-mel examples from a waveform, and the network of the PyTorch port
(harritaylor/torchvggish, whose `vggish-10086976.pth` AVSBench loads; same state-dict keys here).

Log-mel examples follow the official `vggish_input.waveform_to_examples` / `mel_features`:
mono, 16 kHz, 25 ms periodic-Hann windows every 10 ms, |rFFT| with 512 points, 64 HTK mel bands
over 125-7500 Hz (DC bin excluded), log(mel + 0.01), then non-overlapping 0.96 s examples of
96 frames -> (num_seconds, 1, 96, 64). Computed in float64 like the numpy original, returned float32.
AVSBench uses the 128-d embeddings without the PCA/quantisation post-processor.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch
from torch import nn

SAMPLE_RATE = 16000
WINDOW_SECONDS = 0.025
HOP_SECONDS = 0.010
NUM_MEL_BINS = 64
MEL_MIN_HZ = 125.0
MEL_MAX_HZ = 7500.0
LOG_OFFSET = 0.01
EXAMPLE_SECONDS = 0.96


def hertz_to_mel(hz: torch.Tensor) -> torch.Tensor:
    return 1127.0 * torch.log(1.0 + hz / 700.0)


def mel_matrix(num_spectrogram_bins: int, sample_rate: int = SAMPLE_RATE, num_mel_bins: int = NUM_MEL_BINS,
               lower_hz: float = MEL_MIN_HZ, upper_hz: float = MEL_MAX_HZ) -> torch.Tensor:
    """(num_spectrogram_bins, num_mel_bins) triangular weights, linear in mel; the DC bin gets zero weight."""
    nyquist = sample_rate / 2.0
    if not 0.0 <= lower_hz < upper_hz <= nyquist:
        raise ValueError(f"mel edges must satisfy 0 <= {lower_hz} < {upper_hz} <= Nyquist {nyquist}")
    bins_mel = hertz_to_mel(torch.linspace(0.0, nyquist, num_spectrogram_bins, dtype=torch.float64))
    edges = torch.linspace(float(hertz_to_mel(torch.tensor(lower_hz, dtype=torch.float64))),
                           float(hertz_to_mel(torch.tensor(upper_hz, dtype=torch.float64))),
                           num_mel_bins + 2, dtype=torch.float64)
    lower, center, upper = edges[:-2], edges[1:-1], edges[2:]
    lower_slope = (bins_mel[:, None] - lower) / (center - lower)
    upper_slope = (upper - bins_mel[:, None]) / (upper - center)
    weights = torch.clamp(torch.minimum(lower_slope, upper_slope), min=0.0)
    weights[0] = 0.0
    return weights


def log_mel_spectrogram(waveform: torch.Tensor, sample_rate: int = SAMPLE_RATE) -> torch.Tensor:
    """(num_samples,) -> (num_frames, 64) log mel magnitudes."""
    window = int(round(sample_rate * WINDOW_SECONDS))
    hop = int(round(sample_rate * HOP_SECONDS))
    fft_length = 2 ** math.ceil(math.log2(window))
    if waveform.numel() < window:
        raise ValueError(f"waveform has {waveform.numel()} samples; at least one {window}-sample window is needed")
    frames = waveform.to(torch.float64).unfold(0, window, hop)  # frames, window
    hann = 0.5 - 0.5 * torch.cos(2 * math.pi / window * torch.arange(window, dtype=torch.float64))  # periodic
    spectrum = torch.fft.rfft(frames * hann, n=fft_length).abs()  # frames, fft/2+1
    mel = spectrum @ mel_matrix(spectrum.shape[1], sample_rate)
    return torch.log(mel + LOG_OFFSET)


def waveform_to_examples(data: np.ndarray | torch.Tensor, sample_rate: int) -> torch.Tensor:
    """Waveform in [-1, 1], (samples,) or (samples, channels) -> (num_examples, 1, 96, 64) float32.

    Other rates are resampled to 16 kHz with torchaudio's sinc resampler (the original uses resampy,
    which is not installed here; 16 kHz input, what AVSBench's preprocessing writes, is untouched).
    """
    x = torch.as_tensor(np.asarray(data, dtype=np.float64))
    if x.ndim > 1:
        x = x.mean(dim=1)
    if sample_rate != SAMPLE_RATE:
        import torchaudio.functional

        x = torchaudio.functional.resample(x, sample_rate, SAMPLE_RATE)
    log_mel = log_mel_spectrogram(x, SAMPLE_RATE)
    frames_per_example = int(round(EXAMPLE_SECONDS / HOP_SECONDS))  # 96
    num = (log_mel.shape[0] - frames_per_example) // frames_per_example + 1
    if num < 1:
        raise ValueError(f"audio shorter than one {EXAMPLE_SECONDS} s example ({log_mel.shape[0]} frames)")
    examples = log_mel[: num * frames_per_example].reshape(num, frames_per_example, -1)
    return examples[:, None].float()


def wavfile_to_examples(path: str | Path) -> torch.Tensor:
    """A 16-bit PCM WAV file -> (num_examples, 1, 96, 64), as the official `wavfile_to_examples`."""
    import soundfile

    try:
        data, sr = soundfile.read(str(path), dtype="int16")
    except Exception as err:  # soundfile raises its own error types
        raise ValueError(f"{path}: cannot read as a WAV file of 16-bit samples ({err})") from err
    return waveform_to_examples(data / 32768.0, sr)


class VGGish(nn.Module):
    """The VGGish network: (N, 1, 96, 64) log-mel examples -> (N, 128) embeddings.

    Module names follow torchvggish (`features.*`, `embeddings.*`), so its weights load as they are.
    `widths` / `hidden` shrink it for tests and the smoke profile; the defaults are VGGish.
    """

    def __init__(self, widths: tuple[int, int, int, int] = (64, 128, 256, 512), hidden: int = 4096,
                 embedding: int = 128) -> None:
        super().__init__()
        c1, c2, c3, c4 = widths
        layers: list[nn.Module] = []
        in_ch = 1
        for v in (c1, "M", c2, "M", c3, c3, "M", c4, c4, "M"):
            if v == "M":
                layers.append(nn.MaxPool2d(2, 2))
            else:
                layers += [nn.Conv2d(in_ch, v, 3, padding=1), nn.ReLU(inplace=True)]
                in_ch = v
        self.features = nn.Sequential(*layers)
        self.embeddings = nn.Sequential(
            nn.Linear(c4 * 6 * 4, hidden), nn.ReLU(True), nn.Linear(hidden, hidden), nn.ReLU(True),
            nn.Linear(hidden, embedding), nn.ReLU(True),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.features(x)  # n, c4, 6, 4
        x = x.permute(0, 2, 3, 1).flatten(1)  # n, 6*4*c4 in the TensorFlow (h, w, c) order
        return self.embeddings(x)
