"""The fast TNO against the explicit O(n^2) Toeplitz product, its causality and its inference cache."""

import pytest
import torch

from shared.testing import assert_close_to_golden
from tnn.tno import Tno


def dense_product(tno: Tno, x: torch.Tensor) -> torch.Tensor:
    return torch.einsum("enm,bme->bne", tno.toeplitz_matrix(x.shape[1]), x)


@pytest.mark.parametrize("causal", [True, False])
@pytest.mark.parametrize("n", [1, 2, 7, 16])
def test_fft_product_and_gradients_equal_the_dense_matrix(causal, n):
    torch.manual_seed(n)
    tno = Tno(6, 8, causal, use_decay=True, gamma=0.9, rpe_layers=2)
    x = torch.randn(3, n, 6, requires_grad=True)
    g = torch.randn(3, n, 6)
    y = tno(x)
    y.backward(g)
    grads = [x.grad.clone()] + [p.grad.clone() for p in tno.parameters()]
    x.grad = None
    tno.zero_grad()
    ref = dense_product(tno, x)
    ref.backward(g)
    ref_grads = [x.grad] + [p.grad for p in tno.parameters()]
    assert torch.allclose(y, ref, atol=1e-5)
    for a, b in zip(grads, ref_grads, strict=True):
        assert torch.allclose(a, b, atol=1e-4)


def test_matrix_layout_is_toeplitz_with_decay():
    tno = Tno(4, 8, causal=False, use_decay=True, gamma=0.5, rpe_layers=1)
    n = 5
    T = tno.toeplitz_matrix(n)
    k = torch.arange(-(n - 1), n).float()
    t = tno.rpe(k) * 0.5 ** k.abs().unsqueeze(-1)  # (2n-1, e): t_k lambda^|k|
    for i in range(n):
        for j in range(n):
            assert torch.allclose(T[:, i, j], t[i - j + n - 1], atol=1e-6)
    causal = Tno(4, 8, causal=True, rpe_layers=1).toeplitz_matrix(n)
    assert (causal.triu(1) == 0).all() and (causal.diagonal(dim1=1, dim2=2) != 0).any()


def test_causal_output_ignores_future_tokens():
    torch.manual_seed(0)
    tno = Tno(4, 8, causal=True, rpe_layers=2)
    x = torch.randn(1, 10, 4)
    y = tno(x)
    x2 = x.clone()
    x2[:, 6:] = torch.randn(1, 4, 4) * 100
    assert torch.allclose(tno(x2)[:, :6], y[:, :6], atol=1e-4)
    assert not torch.allclose(tno(x2)[:, 6:], y[:, 6:])


def test_eval_output_follows_every_kind_of_weight_update():
    """No stale answer at inference: in-place steps, `.data` writes (which bump no version counter),
    vector_to_parameters and load_state_dict all show in the next eval-mode forward."""
    torch.manual_seed(0)
    tno = Tno(4, 8, causal=True, rpe_layers=2).eval()
    x = torch.randn(2, 12, 4)
    updates = [
        lambda: tno.rpe.out.linear.weight.mul_(2.0),  # as an optimizer step
        lambda: tno.rpe.out.linear.bias.data.add_(0.5),
        lambda: setattr(tno.rpe.pos_proj.weight, "data", tno.rpe.pos_proj.weight.data * -1.0),
        lambda: torch.nn.utils.vector_to_parameters(
            torch.nn.utils.parameters_to_vector(tno.parameters()) * 0.5 + 0.1, tno.parameters()),
        lambda: tno.load_state_dict({k: v * 1.5 for k, v in tno.state_dict().items()}),
    ]
    with torch.no_grad():
        before = tno(x)
        for update in updates:
            update()
            after = tno(x)
            assert (after - before).abs().max() > 1e-3 * before.abs().max()  # the update changed the output
            fresh = Tno(4, 8, causal=True, rpe_layers=2).eval()
            fresh.load_state_dict(tno.state_dict())
            assert_close_to_golden(after, fresh(x), rel_tol=1e-6, min_scale=1e-3, name="after update")
            assert_close_to_golden(after, dense_product(tno, x), rel_tol=1e-5, min_scale=1e-3, name="dense")
            before = after


def test_half_precision_inputs_keep_their_dtype():
    tno = Tno(4, 8, causal=True, rpe_layers=1)
    x = torch.randn(2, 6, 4, dtype=torch.bfloat16)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        y = tno(x)
    assert y.dtype == torch.bfloat16 and torch.isfinite(y.float()).all()


def test_inference_mode_then_training_still_backpropagates():
    tno = Tno(4, 8, causal=True, rpe_layers=1)
    x = torch.randn(1, 6, 4)
    with torch.inference_mode():
        tno.eval()(x)
    tno.train()(x).sum().backward()
    assert tno.rpe.out.linear.weight.grad is not None
