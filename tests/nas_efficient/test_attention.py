"""Our attention against the original modules' outputs (golden/) and against the quadratic forms."""

from pathlib import Path

import pytest
import torch

from nas_efficient.attention import cosformer_attention, cosformer_attention_naive, softmax_attention
from nas_efficient.convert import convert_attention_state_dict
from nas_efficient.super_modules import SuperSelfAttention

GOLDEN = torch.load(Path(__file__).parent / "golden" / "attention.pt", weights_only=True)
# the golden modules: super sizes embed 12, qkv 16; sampled embed 8, 2 heads x 4
SUPER_EMBED, SUPER_QKV, HEADS, HEAD_DIM = 12, 16, 2, 4


@pytest.mark.parametrize("name,kind,causal", [
    ("cosformer_causal", "cosformer", True),
    ("cosformer_bidirectional", "cosformer", False),
    ("softmax", "softmax", False),
])
def test_sampled_attention_matches_original(name: str, kind: str, causal: bool) -> None:
    module = SuperSelfAttention(SUPER_EMBED, SUPER_QKV, kind, causal=causal).eval()
    module.load_state_dict(convert_attention_state_dict(GOLDEN[name + "/state_dict"]), strict=True)
    x = GOLDEN["input"].transpose(0, 1)  # original is (time, batch, channel)
    with torch.no_grad():
        ours = module(x, HEADS, HEAD_DIM).transpose(0, 1)
    torch.testing.assert_close(ours, GOLDEN[name + "/output"], atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("n,chunk", [(1, 4), (7, 4), (16, 4), (33, 8)])
@pytest.mark.parametrize("causal", [True, False])
def test_linear_cosformer_equals_quadratic(n: int, chunk: int, causal: bool) -> None:
    g = torch.Generator().manual_seed(n)
    q, k, v = (torch.randn(2, n, 3, 5, generator=g, dtype=torch.float64) for _ in range(3))
    fast = cosformer_attention(q, k, v, causal=causal, chunk_size=chunk)
    torch.testing.assert_close(fast, cosformer_attention_naive(q, k, v, causal=causal))


def test_causal_cosformer_does_not_look_ahead() -> None:
    g = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(1, 12, 2, 4, generator=g) for _ in range(3))
    v2 = v.clone()
    v2[:, 8:] += 10.0
    # positions are divided by the length, so only a change that keeps the length can be compared
    before = cosformer_attention(q, k, v, causal=True, chunk_size=4)[:, :8]
    after = cosformer_attention(q, k, v2, causal=True, chunk_size=4)[:, :8]
    torch.testing.assert_close(before, after)


def test_softmax_attention_is_sdpa_of_the_textbook_formula() -> None:
    g = torch.Generator().manual_seed(1)
    q, k, v = (torch.randn(2, 6, 3, 4, generator=g) for _ in range(3))
    w = torch.einsum("bnhd,bshd->bhns", q, k) / 2.0
    expected = torch.einsum("bhns,bshd->bnhd", w.softmax(-1), v)
    torch.testing.assert_close(softmax_attention(q, k, v), expected)


@pytest.mark.parametrize("causal", [True, False])
def test_small_normalisers_are_clamped_at_the_originals_1e_3(causal: bool) -> None:
    """Features near zero give normalisers far below 1e-3: the output is then the numerator / 1e-3."""
    g = torch.Generator().manual_seed(2)
    q, k = (1e-3 * torch.rand(1, 6, 2, 4, generator=g, dtype=torch.float64) for _ in range(2))
    v = torch.randn(1, 6, 2, 4, generator=g, dtype=torch.float64)
    ours = cosformer_attention(q, k, v, causal=causal, chunk_size=4)
    torch.testing.assert_close(ours, cosformer_attention_naive(q, k, v, causal=causal, eps=1e-3))
    assert (ours - cosformer_attention_naive(q, k, v, causal=causal, eps=1e-2)).abs().max() > 1e-3 * v.abs().max()
