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


class TokensLast:
    """Mixin for a BatchNorm class: inputs are (..., C) with channels last (tokens); the statistics are taken
    over every other position. `shared.parallel.convert_sync_batchnorm` keeps this layout when it converts."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(x.reshape(-1, x.shape[-1])).reshape(x.shape)


class TokenBatchNorm(TokensLast, nn.BatchNorm1d):
    """BatchNorm over the channels of (b, n, d) tokens: the `synbatch` norm of OpenNLPLab's LRA scripts
    (a SyncBatchNorm on several GPUs: `train.sync_batchnorm`). Parameters and buffers are BatchNorm1d's."""
