"""Audio -> log spectrogram, as the original (OpenNLPLab/FNAC_AVL datasets.py `load_spectrogram`,
audio_io.py `load_audio_av`).

    3 s from the middle of the clip (start = max(duration/2 - 1.5, 0)) at the file's own sample rate,
    downmixed to mono 16-bit by PyAV, scaled by 1/32767, clipped to [-1, 1], tiled when shorter than 3 s;
    scipy.signal.spectrogram(nperseg=512, noverlap=274)   (Tukey(0.25) window, hop 238, density scaling)
    log(power + 1e-7)                                     -> (257, frames); 99 frames at 8 kHz, 200 at 16 kHz
The dataset transform then divides by 12 (`transforms.Normalize(mean=0, std=12)`).

Decoding goes through PyAV as in the original (seek to the start time, decode whole frames, resample to
16-bit mono at the native rate, cut at a sample offset computed from the first kept frame's time stamp),
so the crop lands on the same sample as the original's (a one-sample shift changes the log spectrogram
visibly); the tests check this against the original's output.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from scipy import signal

CLIP_SECONDS = 3.0
NPERSEG = 512
NOVERLAP = 274
SPEC_SCALE = 12.0  # std of transforms.Normalize


def load_waveform(path: str | Path, seconds: float = CLIP_SECONDS) -> tuple[np.ndarray, int]:
    """The centre `seconds` of an audio file as float64 mono in [-1, 1], and its sample rate."""
    path = Path(path)
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError) as err:
        raise ValueError(f"{path}: cannot open audio ({err}); expected a WAV file") from err
    with container:
        if not container.streams.audio:
            raise ValueError(f"{path}: no audio stream")
        stream = container.streams.audio[0]
        if stream.duration is None:
            raise ValueError(f"{path}: the audio stream has no duration")
        rate = stream.rate
        first = stream.start_time * stream.time_base if stream.start_time is not None else 0
        last = first + stream.duration * stream.time_base
        start = max(float(stream.duration * stream.time_base) / 2 - seconds / 2, 0)
        end = start + min(seconds, last - start)
        resampler = av.AudioResampler(format="s16p", layout="mono", rate=rate)
        container.seek(int(start * av.time_base))
        chunks, chunk_start = [], None
        for frame in container.decode(audio=0):
            t0 = frame.pts * frame.time_base
            if t0 + Fraction(frame.samples, frame.rate) < start:
                continue
            if t0 > end:
                break
            frame.pts = None
            chunks.append(resampler.resample(frame)[0].to_ndarray())  # (1, samples) int16
            chunk_start = t0 if chunk_start is None else chunk_start
    if not chunks:
        raise ValueError(f"{path}: no audio decoded")
    pcm = np.concatenate(chunks, axis=1)
    offset = int((start - chunk_start) * rate)
    length = int(seconds * rate)
    if offset < 0:
        pcm = np.pad(pcm, ((0, 0), (-offset, 0)))
        offset = 0
    pcm = pcm[:, offset:offset + int(min(seconds, last - start) * rate)]
    audio = np.clip(pcm / np.iinfo(np.int16).max, -1.0, 1.0).mean(0)
    if audio.shape[0] < length:  # short clips are repeated
        audio = np.tile(audio, int(length / audio.shape[0]) + 1)
    return audio[:length], rate


def log_spectrogram(audio: np.ndarray, rate: int) -> np.ndarray:
    """(257, frames) log power spectrogram, float64."""
    _, _, spec = signal.spectrogram(audio, rate, nperseg=NPERSEG, noverlap=NOVERLAP)
    return np.log(spec + 1e-7)


def load_spectrogram(path: str | Path, seconds: float = CLIP_SECONDS) -> np.ndarray:
    return log_spectrogram(*load_waveform(path, seconds))
