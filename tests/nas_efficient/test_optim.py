"""The recipe's optimizer is fairseq's Adam: 20 updates of a small supernet against fairseq's own class."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from nas_efficient.config import SearchSpace, SupernetConfig
from nas_efficient.model import VisionSupernet
from nas_efficient.optim import FairseqAdam, build_optimizer
from nas_efficient.train import sampled_arch
from shared.optim import OptimConfig

SPACE = SearchSpace([8, 12], [1, 2], [16, 24], [1, 2], ["cosformer", "softmax"])
CFG = SupernetConfig(image_size=8, patch_size=4, in_chans=1, num_classes=5, head_dim=4, drop_path=0.0,
                     activation_dropout=0.0)
HYPER = {"lr": 1e-2, "betas": (0.9, 0.998), "eps": 1e-8, "weight_decay": 0.05}


def train_20_updates(make_optimizer) -> dict[str, torch.Tensor]:
    """20 updates, each of a different sampled sub-network, so some tensors get no gradient in some updates
    (grads set to None between updates, as fairseq does)."""
    torch.manual_seed(0)
    model = VisionSupernet(SPACE, CFG)
    optimizer = make_optimizer(model)
    g = torch.Generator().manual_seed(1)
    for step in range(20):
        images, labels = torch.randn(4, 1, 8, 8, generator=g), torch.randint(0, 5, (4,), generator=g)
        F.cross_entropy(model(images, sampled_arch(SPACE, 0, step)), labels).backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def max_difference(a: dict, b: dict) -> float:
    return max((a[k] - b[k]).abs().max().item() for k in a)


def test_equals_fairseqs_adam_after_20_updates() -> None:
    from fairseq.optim.adam import Adam as FairseqReference

    ours = train_20_updates(lambda m: build_optimizer(m, OptimConfig(name="adam", **HYPER)))
    reference = train_20_updates(lambda m: FairseqReference(m.parameters(), **HYPER))
    start = train_20_updates(lambda m: FairseqAdam(m.parameters(), **{**HYPER, "lr": 0.0}))
    moved = max_difference(reference, start)
    assert moved > 0.05  # the updates changed the weights by far more than the tolerance below
    assert max_difference(ours, reference) <= 1e-6 * moved


@pytest.mark.parametrize("other", ["coupled L2, no decay of 1-D tensors", "AdamW of torch"])
def test_other_adams_differ_from_the_recipe(other: str) -> None:
    """What the recipe used before (coupled L2 without decay of biases and norms) and torch's AdamW (same
    decoupled decay, eps after the bias correction) both end measurably elsewhere."""
    from fairseq.optim.adam import Adam as FairseqReference

    reference = train_20_updates(lambda m: FairseqReference(m.parameters(), **HYPER))
    if other.startswith("coupled"):
        from shared.optim import build_optimizer as shared_optimizer

        result = train_20_updates(lambda m: shared_optimizer(m, OptimConfig(name="adam", **HYPER)))
        assert max_difference(result, reference) > 1e-3
    else:
        result = train_20_updates(lambda m: torch.optim.AdamW(m.parameters(), **HYPER))
        # eps after the bias correction matters where a slice's gradient is tiny (unused slices of the supernet)
        assert max_difference(result, reference) > 1e-3


def test_every_parameter_with_a_gradient_is_decayed_and_the_others_are_left_alone() -> None:
    torch.manual_seed(0)
    model = VisionSupernet(SPACE, CFG)
    optimizer = build_optimizer(model, OptimConfig(name="adam", lr=0.1, weight_decay=0.5))
    before = {k: v.detach().clone() for k, v in model.named_parameters()}
    for p in model.parameters():
        p.grad = torch.zeros_like(p)  # no gradient signal: only the decay moves a tensor
    model.layers[1].fc1.weight.grad = None  # unused in this update
    optimizer.step()
    after = dict(model.named_parameters())
    for name in ("layers.0.fc1.bias", "layers.0.attention_norm.weight", "cls_token", "pos_embed", "head.weight"):
        nonzero = before[name] != 0
        assert torch.allclose(after[name][nonzero], before[name][nonzero] * (1 - 0.1 * 0.5)), name
    assert torch.equal(after["layers.1.fc1.weight"], before["layers.1.fc1.weight"])
