"""Normalisation layers that several papers' original code shares (OpenNLPLab's fairseq-evo)."""

from __future__ import annotations

import torch
from torch import nn


class SimpleRMSNorm(nn.Module):
    """x / (||x||_2 / sqrt(d) + eps), no learned scale (fairseq-evo `norm/rms_norm.py` SimpleRMSNorm).

    eps is added to the root mean square, not inside the square root, as the original.
    """

    def __init__(self, dim: int, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim = dim
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        rms = x.norm(2, dim=-1, keepdim=True) * self.dim**-0.5
        return x / (rms + self.eps)
