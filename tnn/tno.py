"""The Toeplitz neural operator (TNO) and its relative position encoder (RPE).

TNO mixes tokens with a Toeplitz matrix T (T_ij = t_{i-j}, one matrix per channel): y = T x.
The coefficients t_k come from the RPE, a small MLP on the scalar offset k, multiplied by the
decay lambda^|k| (paper Sec. 3.3 and 3.4). T x is a slice of a circulant product of size 2n, so
it costs one real FFT of x, one of the coefficients and one inverse FFT: O(n log n).

Differences from fairseq-evo's `Tno` (same result, fewer operations):
- one RPE call on all offsets instead of three (t_0, positive, negative);
- the sequence is transformed where it lies, (b, n, e), without a (b, h, n, d) copy;
- the decay powers and the coefficients are computed on every call from the current weights: no cache,
  so no update of the weights (optimizer, load_state_dict, `.data`, vector_to_parameters) can go unseen.
"""

from __future__ import annotations

import torch
from torch import nn

from shared.norms import SimpleRMSNorm, TokenBatchNorm


def build_norm(kind: str, dim: int) -> nn.Module:
    if kind == "simplermsnorm":
        return SimpleRMSNorm(dim)
    if kind == "layernorm":
        return nn.LayerNorm(dim)
    if kind == "batchnorm":
        return TokenBatchNorm(dim)
    raise ValueError(f"norm type {kind!r}: expected 'simplermsnorm', 'layernorm' or 'batchnorm'")


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


def circulant_column(t: torch.Tensor, n: int, causal: bool) -> torch.Tensor:
    """(e, m) coefficients in `Tno.offsets` order -> the circulant's first column (e, 2n):
    [t_0..t_{n-1}, 0, t_{-(n-1)}..t_{-1}], or [t_0..t_{n-1}, 0...0] when causal."""
    zeros = t.new_zeros(t.shape[0], n if causal else 1)
    return torch.cat([t, zeros] if causal else [t[:, :n], zeros, t[:, n:]], dim=1)


class ToeplitzProduct(torch.autograd.Function):
    """y = (T x)[:n] via a circulant of size 2n, for x (b, e, n) and coefficients t (e, m).

    Hand-written backward: the gradients are circular correlations, three real FFTs in all, where
    autograd's rfft backward goes through complex-to-complex FFTs of the full length (about 2x slower on CPU).
    """

    @staticmethod
    def forward(ctx, x: torch.Tensor, t: torch.Tensor, causal: bool):
        n = x.shape[-1]
        # causal: rfft's zero padding to 2n is the column's zero half
        spec = torch.fft.rfft(t if causal else circulant_column(t, n, causal), n=2 * n, dim=-1)
        xf = torch.fft.rfft(x, n=2 * n, dim=-1)  # b, e, n+1
        ctx.causal, ctx.n = causal, n
        if not any(ctx.needs_input_grad[:2]):  # inference: multiply in place, one spectrum less in memory
            return torch.fft.irfft(xf.mul_(spec), n=2 * n, dim=-1)[..., :n]
        ctx.save_for_backward(xf, spec)
        return torch.fft.irfft(xf * spec, n=2 * n, dim=-1)[..., :n]

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        xf, spec = ctx.saved_tensors
        n = ctx.n
        gf = torch.fft.rfft(grad, n=2 * n, dim=-1)  # b, e, n+1
        gx = gt = None
        if ctx.needs_input_grad[0]:
            gx = torch.fft.irfft(gf * spec.conj(), n=2 * n, dim=-1)[..., :n]
        if ctx.needs_input_grad[1]:
            gc = torch.fft.irfft((gf * xf.conj()).sum(0), n=2 * n, dim=-1)  # e, 2n: d loss / d column
            gt = gc[:, :n] if ctx.causal else torch.cat([gc[:, :n], gc[:, n + 1:]], dim=1)
        return gx, gt, None


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
        # a fixed decay per channel; the original keeps it as a frozen parameter (only when use_decay), we as a buffer
        if use_decay:
            self.register_buffer("gamma", torch.full((channels,), float(gamma)), persistent=True)
        else:
            self.gamma = None

    def offsets(self, n: int, device: torch.device) -> torch.Tensor:
        """0, 1, ..., n-1 (causal) or 0, 1, ..., n-1, -(n-1), ..., -1: the order of the circulant's first column."""
        pos = torch.arange(n, device=device, dtype=torch.float32)
        if self.causal:
            return pos
        return torch.cat([pos, -pos[1:].flip(0)])

    def decay(self, k: torch.Tensor) -> torch.Tensor:
        """lambda^|k| (m, e)."""
        return self.gamma.float().unsqueeze(0) ** k.abs().unsqueeze(-1)

    def decayed_rpe(self, n: int, device: torch.device) -> torch.Tensor:
        """t_k * lambda^|k| for k in `offsets(n)`: (m, e) in fp32, one RPE call (in the weights' dtype)."""
        k = self.offsets(n, device)
        t = self.rpe(k.to(self.rpe.pos_proj.weight.dtype)).float()  # m, e
        return t * self.decay(k) if self.use_decay else t

    def coefficients(self, n: int) -> torch.Tensor:
        """The circulant's first column (2n, e)."""
        return circulant_column(self.decayed_rpe(n, self.rpe.pos_proj.weight.device).t(), n, self.causal).t()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # x: b, n, e. The FFTs run along the last axis of a (b, e, n) view: pocketFFT and cuFFT are
        # fastest on the innermost axis. FFTs in fp32: half-precision FFTs need power-of-two lengths.
        n = x.shape[1]
        xt = x.float().transpose(1, 2)  # b, e, n
        t = self.decayed_rpe(n, x.device).t()  # e, m
        y = ToeplitzProduct.apply(xt, t, self.causal)
        return y.transpose(1, 2).to(x.dtype)  # b, n, e

    def toeplitz_matrix(self, n: int) -> torch.Tensor:
        """The explicit (e, n, n) matrices, O(n^2): for tests and inspection."""
        col = self.coefficients(n)  # 2n, e
        i = torch.arange(n, device=col.device)
        idx = (i.unsqueeze(1) - i.unsqueeze(0)) % (2 * n)  # T_ij = c[(i - j) mod 2n]
        return col[idx].permute(2, 0, 1)
