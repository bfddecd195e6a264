"""The Toeplitz neural operator (TNO) and its relative position encoder (RPE).

TNO mixes tokens with a Toeplitz matrix T (T_ij = t_{i-j}, one matrix per channel): y = T x.
The coefficients t_k come from the RPE, a small MLP on the scalar offset k, multiplied by the
decay lambda^|k| (paper Sec. 3.3 and 3.4). T x is a slice of a circulant product of size 2n, so
it costs one real FFT of x, one of the coefficients and one inverse FFT: O(n log n).

Differences from fairseq-evo's `Tno` (same result, fewer operations):
- one RPE call on all offsets instead of three (t_0, positive, negative);
- the sequence is transformed where it lies, (b, n, e), without a (b, h, n, d) copy;
- in eval mode without autograd the coefficients' FFT is cached per length.
"""

from __future__ import annotations

import torch
from torch import nn


class SimpleRMSNorm(nn.Module):
    """x / (||x||_2 / sqrt(d) + eps), no learned scale (fairseq-evo norm/rms_norm.py SimpleRMSNorm)."""

    def __init__(self, dim: int, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim = dim
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        rms = x.norm(2, dim=-1, keepdim=True) * self.dim**-0.5
        return x / (rms + self.eps)


def build_norm(kind: str, dim: int) -> nn.Module:
    if kind == "simplermsnorm":
        return SimpleRMSNorm(dim)
    if kind == "layernorm":
        return nn.LayerNorm(dim)
    raise ValueError(f"norm type {kind!r}: expected 'simplermsnorm' or 'layernorm'")


def build_activation(kind: str) -> nn.Module:
    acts = {"relu": nn.ReLU, "silu": nn.SiLU, "gelu": nn.GELU, "none": nn.Identity}
    if kind not in acts:
        raise ValueError(f"activation {kind!r}: expected one of {sorted(acts)}")
    return acts[kind]()


class RpeBlock(nn.Module):
    """norm -> activation -> linear."""

    def __init__(self, dim: int, out_dim: int, norm: str, act: str, bias: bool) -> None:
        super().__init__()
        self.norm = build_norm(norm, dim)
        self.act = build_activation(act)
        self.linear = nn.Linear(dim, out_dim, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(self.act(self.norm(x)))


class Rpe(nn.Module):
    """Relative position encoder: offset k (a scalar) -> coefficients t_k for every channel."""

    def __init__(self, dim: int, out_dim: int, layers: int = 3, act: str = "relu", norm: str = "simplermsnorm",
                 bias: bool = True, residual: bool = False) -> None:
        super().__init__()
        self.residual = residual
        self.pos_proj = nn.Linear(1, dim, bias=bias)
        self.layers = nn.ModuleList(RpeBlock(dim, dim, norm, act, bias) for _ in range(layers))
        self.out = RpeBlock(dim, out_dim, norm, act, bias)

    def forward(self, offsets: torch.Tensor) -> torch.Tensor:
        x = self.pos_proj(offsets.unsqueeze(-1))  # m, dim
        for layer in self.layers:
            x = layer(x) + x if self.residual else layer(x)
        return self.out(x)  # m, out_dim


class Tno(nn.Module):
    """y = T x along the sequence for x of shape (b, n, e), e = heads * head_dim channels.

    Each of the e channels has its own Toeplitz matrix; "heads" only name groups of channels, as in
    the original, whose RPE emits h * d values laid out as (h d).
    """

    def __init__(self, channels: int, rpe_dim: int, causal: bool, use_decay: bool = True, gamma: float = 0.99,
                 rpe_layers: int = 3, rpe_act: str = "relu", rpe_norm: str = "simplermsnorm", bias: bool = True,
                 residual: bool = False) -> None:
        super().__init__()
        self.channels = channels
        self.causal = causal
        self.use_decay = use_decay
        self.rpe = Rpe(rpe_dim, channels, rpe_layers, rpe_act, rpe_norm, bias, residual)
        # a fixed decay per channel; the original keeps it as a frozen parameter, we as a buffer
        self.register_buffer("gamma", torch.full((channels,), float(gamma)), persistent=True)
        self._cache: dict = {}

    def offsets(self, n: int, device: torch.device) -> torch.Tensor:
        """0, 1, ..., n-1 (causal) or 0, 1, ..., n-1, -(n-1), ..., -1: the order of the circulant's first column."""
        pos = torch.arange(n, device=device, dtype=torch.float32)
        if self.causal:
            return pos
        return torch.cat([pos, -pos[1:].flip(0)])

    def coefficients(self, n: int, device: torch.device, dtype: torch.dtype) -> torch.Tensor:
        """The circulant's first column of length 2n: [t_0..t_{n-1}, 0, t_{-(n-1)}..t_{-1}] (causal: zeros)."""
        k = self.offsets(n, device)
        t = self.rpe(k.to(dtype))  # m, e
        if self.use_decay:
            t = t * self.gamma.to(dtype) ** k.abs().unsqueeze(-1)  # lambda^|k|
        pad = t.new_zeros(n if self.causal else 1, self.channels)
        if self.causal:
            return torch.cat([t, pad])  # 2n, e
        return torch.cat([t[:n], pad, t[n:]])  # 2n, e

    def _coefficients_fft(self, n: int, device: torch.device, dtype: torch.dtype) -> torch.Tensor:
        inference = not self.training and not torch.is_grad_enabled()
        if not inference:
            self._cache.clear()
            return torch.fft.rfft(self.coefficients(n, device, dtype).float(), dim=0)
        # weights change in place (optimizer, load_state_dict): their version counters key the cache
        key = (n, device, dtype, tuple(p._version for p in self.parameters()), self.gamma._version)
        if key not in self._cache:
            self._cache.clear()
            self._cache[key] = torch.fft.rfft(self.coefficients(n, device, dtype).float(), dim=0)
        return self._cache[key]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # x: b, n, e
        n = x.shape[1]
        coef = self._coefficients_fft(n, x.device, x.dtype)  # n+1, e (complex)
        # FFTs in fp32: half-precision FFTs need power-of-two lengths and lose accuracy
        spec = torch.fft.rfft(x.float(), n=2 * n, dim=1)  # b, n+1, e
        y = torch.fft.irfft(spec * coef, n=2 * n, dim=1)[:, :n]  # b, n, e
        return y.to(x.dtype)

    def toeplitz_matrix(self, n: int) -> torch.Tensor:
        """The explicit (e, n, n) matrices, O(n^2): for tests and inspection."""
        col = self.coefficients(n, self.gamma.device, self.gamma.dtype)  # 2n, e
        i = torch.arange(n, device=col.device)
        idx = (i.unsqueeze(1) - i.unsqueeze(0)) % (2 * n)  # T_ij = c[(i - j) mod 2n]
        return col[idx].permute(2, 0, 1)
