"""What a sub-network costs: measured latency, a latency predictor fitted to measurements, and FLOPs.

The original fits gradient-boosted trees (LightGBM regression, `ranker.py`) on five features of an
architecture (`Arch.features`: embed dim, layers, mean FFN dim, mean heads, mean attention code) to
latencies measured on the target device; we fit scikit-learn's gradient-boosted trees on the same
features, so a search can check thousands of candidates without running them.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

import numpy as np
import torch
from sklearn.ensemble import GradientBoostingRegressor

from nas_efficient.arch import Arch
from nas_efficient.model import VisionSupernet


@torch.no_grad()
def measure_latency_ms(model: VisionSupernet, arch: Arch, batch_size: int = 1, warmup: int = 3,
                       repeats: int = 10) -> float:
    """Median wall time of one forward pass of `arch` (the original: `latiter` runs, batch 1)."""
    model.eval()
    size = model.cfg.image_size
    device = next(model.parameters()).device
    images = torch.randn(batch_size, model.cfg.in_chans, size, size, device=device)
    times = []
    for i in range(warmup + repeats):
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        start = time.perf_counter()
        model(images, arch)
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        if i >= warmup:
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def flops(arch: Arch, num_tokens: int, head_dim: int, num_classes: int, patch_pixels: int) -> int:
    """Multiply-accumulates of one image through `arch` (biases and norms ignored).

    Softmax attention costs 2·n²·q per layer (scores and weighted sum); cosFormer 2·n·(2·head_dim)·q
    (k'ᵀv and q'·state), which is what makes it cheaper at long sequences.
    """
    n, e = num_tokens, arch.embed_dim
    total = (n - 1) * patch_pixels * e
    for ffn, heads, kind in zip(arch.ffn_dims, arch.heads, arch.attention, strict=True):
        q = heads * head_dim
        total += n * (3 * e * q + q * e) + 2 * n * ffn * e
        total += 2 * n * n * q if kind == "softmax" else 2 * n * 2 * head_dim * q
    return total + e * num_classes


@dataclass
class LatencyPredictor:
    model: GradientBoostingRegressor | None = None

    def fit(self, archs: list[Arch], latencies_ms: list[float], seed: int = 0) -> LatencyPredictor:
        if len(archs) < 4:
            raise ValueError(f"need at least 4 measured architectures to fit a latency predictor, got {len(archs)}")
        x = np.array([a.features() for a in archs])
        self.model = GradientBoostingRegressor(n_estimators=200, max_depth=3, learning_rate=0.05, random_state=seed)
        self.model.fit(x, np.asarray(latencies_ms))
        return self

    def predict(self, archs: list[Arch]) -> np.ndarray:
        if self.model is None:
            raise RuntimeError("the latency predictor is not fitted")
        return self.model.predict(np.array([a.features() for a in archs]))
