"""The linear-time forms of causal NormAttention equal the naive masked form."""

import pytest
import torch

from transnormer.attention import (
    DiagAttention,
    NormAttention,
    norm_linear_bidirectional,
    norm_linear_chunked,
    norm_linear_naive,
    scaled_linear_attention,
)
from transnormer.config import TransNormerConfig
from transnormer.layers import RelativePositionTransform
from transnormer.model import TransNormerLM


def qkv(n: int, seed: int = 0, b: int = 2, h: int = 3, d: int = 8, e: int = 5):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(b, h, n, d, generator=g, dtype=torch.float64),
            torch.randn(b, h, n, d, generator=g, dtype=torch.float64),
            torch.randn(b, h, n, e, generator=g, dtype=torch.float64))


@pytest.mark.parametrize("n, chunk", [(1, 4), (7, 4), (16, 4), (33, 8), (50, 64)])
def test_chunked_equals_naive(n: int, chunk: int) -> None:
    q, k, v = qkv(n)
    out, state = norm_linear_chunked(q, k, v, chunk)
    torch.testing.assert_close(out, norm_linear_naive(q, k, v, causal=True))
    torch.testing.assert_close(state, k.transpose(-1, -2) @ v)  # the full sum of k^T v


def test_chunked_continues_from_a_state() -> None:
    q, k, v = qkv(40)
    first, state = norm_linear_chunked(q[:, :, :24], k[:, :, :24], v[:, :, :24], 8)
    second, _ = norm_linear_chunked(q[:, :, 24:], k[:, :, 24:], v[:, :, 24:], 8, state)
    torch.testing.assert_close(torch.cat([first, second], 2), norm_linear_naive(q, k, v, causal=True))


def test_bidirectional_equals_unmasked_naive() -> None:
    q, k, v = qkv(19)
    torch.testing.assert_close(norm_linear_bidirectional(q, k, v), norm_linear_naive(q, k, v, causal=False))


def test_naive_mask_matters() -> None:
    q, k, v = qkv(10)
    assert not torch.allclose(norm_linear_naive(q, k, v, True), norm_linear_naive(q, k, v, False))


def test_recurrent_module_equals_naive_module() -> None:
    torch.manual_seed(0)
    attn = NormAttention(16, 2, "elu", causal=True, positional=RelativePositionTransform(8), impl="naive").double()
    x = torch.randn(2, 21, 16, dtype=torch.float64)
    full = attn(x)
    state: dict = {}
    steps = torch.cat([attn.step(x[:, t : t + 1], state) for t in range(x.shape[1])], dim=1)
    torch.testing.assert_close(steps, full)
    attn.impl = "chunked"
    torch.testing.assert_close(attn(x), full)


def test_scaled_linear_attention_rows_are_weighted_means() -> None:
    q, k, v = (t.abs() for t in qkv(12))
    w = torch.tril(q @ k.transpose(-1, -2))
    torch.testing.assert_close(scaled_linear_attention(q, k, v, causal=True, eps=0.0), (w / w.sum(-1, keepdim=True)) @ v)
    torch.testing.assert_close(scaled_linear_attention(q, k, v, causal=False, eps=0.0),
                               norm_linear_naive(q, k, v, False) / (q @ k.transpose(-1, -2)).sum(-1, keepdim=True))


@pytest.mark.parametrize("softmax", [False, True])
def test_diag_attention_stays_inside_blocks(softmax: bool) -> None:
    torch.manual_seed(0)
    attn = DiagAttention(8, 2, block_size=4, causal=False, softmax=softmax)
    x = torch.randn(1, 12, 8)
    y = attn(x)
    x2 = x.clone()
    x2[:, 8:] += 1.0  # the third block changes: the first two blocks' outputs must not
    y2 = attn(x2)
    torch.testing.assert_close(y[:, :8], y2[:, :8])
    assert not torch.allclose(y[:, 8:], y2[:, 8:])


def test_diag_attention_causal_does_not_look_ahead() -> None:
    torch.manual_seed(0)
    attn = DiagAttention(8, 2, block_size=4, causal=True, softmax=True)
    x = torch.randn(1, 8, 8)
    x2 = x.clone()
    x2[:, 5] += 1.0
    torch.testing.assert_close(attn(x)[:, :5], attn(x2)[:, :5])


def test_lm_generation_step_by_step_equals_full_forward() -> None:
    torch.manual_seed(0)
    cfg = TransNormerConfig(vocab_size=30, embed_dim=16, num_layers=2, num_heads=2, block_size=4, chunk_size=4,
                            dropout=0.0, max_positions=32)
    model = TransNormerLM(cfg).eval()
    tokens = torch.randint(4, 30, (2, 11))
    with torch.no_grad():
        full = model(tokens)
    states = [{} for _ in model.layers]
    steps = torch.cat([model.step(tokens[:, t : t + 1], states) for t in range(tokens.shape[1])], dim=1)
    torch.testing.assert_close(steps, full, atol=1e-5, rtol=1e-4)


def test_chunked_form_gradients() -> None:
    """The in-place steps of the chunked form leave autograd exact."""
    q, k, v = (t.requires_grad_() for t in qkv(13, b=1, h=2, d=4, e=3))
    assert torch.autograd.gradcheck(lambda q, k, v: norm_linear_chunked(q, k, v, 4)[0], (q, k, v))
