"""Deterministic weights and inputs shared by the golden-fixture generator and the tests.

Weights and features are drawn from numpy's legacy RandomState (its streams are frozen across numpy
versions), so the golden folder stores only key names, shapes and outputs, not 37 MB of weights.
"""

from __future__ import annotations

import numpy as np
import torch


def synthetic_state_dict(shapes: dict[str, list[int]], seed: int) -> dict[str, torch.Tensor]:
    """Weights in the original key layout: matrices ~ N(0, 1/fan_in), norm scales ~ 1 + N(0, 0.1^2),
    other vectors ~ N(0, 0.1^2)."""
    rng = np.random.RandomState(seed)
    state = {}
    for key, shape in shapes.items():
        x = rng.standard_normal(shape).astype(np.float32)
        if len(shape) == 2:
            x /= np.sqrt(shape[1])
        elif ".norm" in key and key.endswith("weight"):
            x = 1.0 + 0.1 * x
        else:
            x *= 0.1
        state[key] = torch.from_numpy(x)
    return state


def synthetic_features(batch: int, seed: int, segments: int = 10) -> dict[str, torch.Tensor]:
    """LLP-shaped features: VGGish (b, 10, 128), ResNet-152 (b, 80, 2048), R(2+1)D (b, 10, 512)."""
    rng = np.random.RandomState(seed)
    audio = rng.standard_normal((batch, segments, 128)).astype(np.float32)
    visual = np.abs(rng.standard_normal((batch, 8 * segments, 2048))).astype(np.float32)
    motion = np.abs(rng.standard_normal((batch, segments, 512))).astype(np.float32)
    return {"audio": torch.from_numpy(audio), "visual": torch.from_numpy(visual), "motion": torch.from_numpy(motion)}


def random_binary(shape: tuple[int, ...], density: float, seed: int) -> np.ndarray:
    return (np.random.RandomState(seed).random_sample(shape) < density).astype(np.int64)
