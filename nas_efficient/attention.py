"""The two attention operators of the search space, on (batch, length, heads, head_dim) tensors.

cosFormer (Qin et al., ICLR 2022) as mixFormer computes it
(fairseq/modules/multihead_cosformer_attention_super.py, `forward`):
    q' = [relu(q) sin(θ_i), relu(q) cos(θ_i)],  k' likewise,  θ_i = (π/2) · i / n  for i = 1..n
    out_i = Σ_j (q'_i · k'_j) v_j  /  max(q'_i · Σ_j k'_j, eps)       (j ≤ i when causal)
No 1/sqrt(d) scaling and no softmax: the ReLU features and the cos re-weighting (cos(θ_i - θ_j) =
sin θ_i sin θ_j + cos θ_i cos θ_j) make the weights, so the sums over j factor out and the cost is
linear in n. Positions count from 1 and are divided by the sequence's own length, as the original.

Softmax attention is PyTorch's fused scaled_dot_product_attention (same maths as the original's
bmm-softmax-bmm with q scaled by head_dim^-0.5).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

EPS = 1e-3  # the original's clamp on the normaliser


def cos_reweight(x: torch.Tensor, length: float | None = None) -> torch.Tensor:
    """[x sin θ, x cos θ] with θ_i = (π/2) i / length, i = 1..n, along dim -2.  (..., n, d) -> (..., n, 2d)

    `length` defaults to n, the sequence's own length (the original's rule)."""
    n, d = x.shape[-2:]
    theta = (math.pi / 2) * torch.arange(1, n + 1, device=x.device, dtype=x.dtype) / (length or n)
    trig = torch.stack([torch.sin(theta), torch.cos(theta)], dim=-1).unsqueeze(-1)  # n, 2, 1
    return (x.unsqueeze(-2) * trig).reshape(*x.shape[:-1], 2 * d)  # one product, no concatenation


def cosformer_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, causal: bool = False,
                        chunk_size: int = 64, eps: float = EPS, length: float | None = None,
                        key_length: float | None = None) -> torch.Tensor:
    """cosFormer attention in linear time and memory. q, k, v: (b, n, h, d) -> (b, n, h, d).

    Computed in a (b, h, n, d) layout so that every product is a plain batched matmul over
    contiguous rows. Causal: the sequence is cut into chunks; inside a chunk the masked (c x c)
    product is exact, across chunks a running sum of k'ᵀv (a (2d x d) state per head) carries the
    past, so memory is O(n·d + n/c·d²) rather than the O(n·d²) of a per-position cumulative sum.
    q and k may differ in length (cross-attention, not causal); `length` replaces each one's own
    length in θ (see `cos_reweight`) for the queries, `key_length` (default: `length`) for the keys.
    """
    q, k, v = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)  # b, h, n, d
    q_, k_ = cos_reweight(F.relu(q), length), cos_reweight(F.relu(k), key_length or length)  # b, h, n, 2d
    if causal:
        out = _causal_chunked(q_, k_, v, min(chunk_size, q.shape[-2]), eps)  # short sequences: one chunk
    else:
        kv = k_.transpose(-1, -2) @ v  # b, h, 2d, d
        denominator = q_ @ k_.sum(dim=-2, keepdim=True).transpose(-1, -2)  # b, h, n, 1
        out = (q_ @ kv) / denominator.clamp_min(eps)
    return out.transpose(1, 2)


def _causal_chunked(q_: torch.Tensor, k_: torch.Tensor, v: torch.Tensor, chunk: int, eps: float) -> torch.Tensor:
    b, h, n, e = q_.shape
    d = v.shape[-1]
    pad = (-n) % chunk
    if pad:  # zero features at padded positions add nothing to any sum
        q_, k_, v = (F.pad(t, (0, 0, 0, pad)) for t in (q_, k_, v))
    m = (n + pad) // chunk
    q_, k_, v = q_.view(b, h, m, chunk, e), k_.view(b, h, m, chunk, e), v.view(b, h, m, chunk, d)
    # the state before each chunk: exclusive cumulative sums over chunks
    kv = k_.transpose(-1, -2) @ v  # b, h, m, 2d, d
    kv_past = kv.cumsum(dim=2) - kv
    ksum = k_.sum(dim=-2, keepdim=True)  # b, h, m, 1, 2d
    ksum_past = ksum.cumsum(dim=2) - ksum
    # inside each chunk: the masked quadratic form
    scores = q_ @ k_.transpose(-1, -2)  # b, h, m, c, c
    scores = scores.masked_fill(~torch.ones(chunk, chunk, dtype=torch.bool, device=q_.device).tril(), 0.0)
    numerator = scores @ v + q_ @ kv_past  # b, h, m, c, d
    denominator = scores.sum(dim=-1, keepdim=True) + q_ @ ksum_past.transpose(-1, -2)  # b, h, m, c, 1
    out = numerator / denominator.clamp_min(eps)
    return out.reshape(b, h, m * chunk, d)[:, :, :n]


def cosformer_attention_naive(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, causal: bool = False,
                              eps: float = EPS, length: float | None = None) -> torch.Tensor:
    """The quadratic reference: the full (n x n) weight matrix. For tests and benchmarks."""
    q_ = cos_reweight(F.relu(q.transpose(1, 2)), length)  # b, h, n, 2d
    k_ = cos_reweight(F.relu(k.transpose(1, 2)), length)
    weights = q_ @ k_.transpose(-1, -2)  # b, h, n, n
    if causal:
        n = q.shape[1]
        weights = weights.masked_fill(~torch.ones(n, n, dtype=torch.bool, device=q.device).tril(), 0.0)
    weights = weights / weights.sum(dim=-1, keepdim=True).clamp_min(eps)
    return torch.einsum("bhns,bshd->bnhd", weights, v)


def softmax_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, causal: bool = False,
                      dropout: float = 0.0, key_padding_mask: torch.Tensor | None = None) -> torch.Tensor:
    """Scaled dot-product softmax attention. (b, n, h, d) -> (b, n, h, d)

    key_padding_mask: (b, s), True at padded keys, which get no weight."""
    mask = None
    if key_padding_mask is not None:
        mask = ~key_padding_mask[:, None, None, :]  # b, 1, 1, s: True = attend
        if causal:  # SDPA takes either a mask or is_causal, so fold the causal mask in
            n, s = q.shape[1], k.shape[1]
            mask = mask & torch.ones(n, s, dtype=torch.bool, device=q.device).tril()
            causal = False
    out = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2),
                                         attn_mask=mask, dropout_p=dropout, is_causal=causal)
    return out.transpose(1, 2)
