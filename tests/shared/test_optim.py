"""Optimizers from a config: the right algorithm, and weight decay on matrices only (unless asked)."""

from __future__ import annotations

import pytest
import torch

from shared.optim import OptimConfig, build_optimizer


def net() -> torch.nn.Module:
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.LayerNorm(4), torch.nn.Linear(4, 2))


def step_with_zero_gradients(cfg: OptimConfig) -> tuple[dict[str, torch.Tensor], dict[str, torch.Tensor]]:
    """Parameters before and after one update whose gradients are all zero: only weight decay moves them."""
    model = net()
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    optimizer = build_optimizer(model, cfg)
    for p in model.parameters():
        p.grad = torch.zeros_like(p)
    optimizer.step()
    return before, {n: p.detach() for n, p in model.named_parameters()}


@pytest.mark.parametrize("name", ["adamw", "sgd"])
def test_weight_decay_shrinks_matrices_and_spares_biases_and_norm_weights(name: str) -> None:
    before, after = step_with_zero_gradients(OptimConfig(name=name, lr=0.5, weight_decay=0.1))
    for key in before:
        if before[key].ndim >= 2:  # decoupled (AdamW) or in the gradient (SGD): both scale by 1 - lr * wd here
            torch.testing.assert_close(after[key], 0.95 * before[key], rtol=1e-6, atol=0, msg=key)
        else:
            assert torch.equal(after[key], before[key]), f"{key} is a bias or norm weight: no decay"


def test_decay_1d_params_decays_everything() -> None:
    before, after = step_with_zero_gradients(OptimConfig(name="adamw", lr=0.5, weight_decay=0.1, decay_1d_params=True))
    for key in before:
        torch.testing.assert_close(after[key], 0.95 * before[key], rtol=1e-6, atol=0, msg=key)


def test_adam_puts_weight_decay_in_the_gradient() -> None:
    """torch's Adam adds wd * w to the gradient, which Adam then normalises: each weight moves by about lr."""
    before, after = step_with_zero_gradients(OptimConfig(name="adam", lr=0.01, weight_decay=0.1))
    weight = "0.weight"
    torch.testing.assert_close(after[weight], before[weight] - 0.01 * before[weight].sign(), rtol=1e-4, atol=1e-6)
    assert torch.equal(after["0.bias"], before["0.bias"])


@pytest.mark.parametrize(("name", "cls"), [("adamw", torch.optim.AdamW), ("adam", torch.optim.Adam), ("sgd", torch.optim.SGD)])
def test_each_name_builds_its_optimizer(name: str, cls: type) -> None:
    optimizer = build_optimizer(net(), OptimConfig(name=name, lr=0.25, betas=(0.8, 0.9), eps=1e-6, momentum=0.5))
    assert type(optimizer) is cls
    assert optimizer.defaults["lr"] == 0.25
    if name == "sgd":
        assert optimizer.defaults["momentum"] == 0.5
    else:
        assert optimizer.defaults["betas"] == (0.8, 0.9) and optimizer.defaults["eps"] == 1e-6
    with pytest.raises(ValueError, match="optim.name: unknown optimizer 'lion'"):
        build_optimizer(net(), OptimConfig(name="lion"))  # type: ignore[arg-type]
