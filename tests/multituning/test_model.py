"""AMF's equations on cases small enough to work out by hand, and the policy network against SpotTune's agent."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch

from multituning.convert import convert_state_dict
from multituning.model import MultiTuned, PolicyNet, fuse, policy_weights

GOLDEN = Path(__file__).with_name("golden")


def test_prob_fusion_is_the_weighted_mixture_of_member_distributions() -> None:
    # member 1 puts softmax([0, ln 3]) = (1/4, 3/4), member 2 softmax([ln 4, 0]) = (4/5, 1/5)
    logits = torch.tensor([[[0.0, math.log(3.0)], [math.log(4.0), 0.0]]])  # b=1, K=2, C=2
    weights = torch.tensor([[0.5, 0.5]])
    probs = fuse(logits, weights, "prob").exp()
    torch.testing.assert_close(probs, torch.tensor([[(0.25 + 0.8) / 2, (0.75 + 0.2) / 2]]))
    # all weight on one member gives that member's distribution exactly
    torch.testing.assert_close(fuse(logits, torch.tensor([[0.0, 1.0]]), "prob").exp(), torch.tensor([[0.8, 0.2]]))


def test_logit_fusion_is_the_softmax_of_weighted_logits() -> None:
    logits = torch.tensor([[[2.0, 0.0], [0.0, 4.0]]])
    weights = torch.tensor([[0.75, 0.25]])  # fused logits (1.5, 1.0)
    expected = torch.tensor([[1.5, 1.0]]).log_softmax(-1)
    torch.testing.assert_close(fuse(logits, weights, "logit"), expected)


def test_fusion_weights_are_per_sample() -> None:
    logits = torch.tensor([[[9.0, 0.0], [0.0, 9.0]]] * 2)  # member 1 says class 0, member 2 class 1
    weights = torch.tensor([[0.9, 0.1], [0.1, 0.9]])
    assert fuse(logits, weights).argmax(-1).tolist() == [0, 1]


def test_policy_weights_softmax_with_temperature() -> None:
    logits = torch.tensor([[0.0, math.log(2.0), math.log(5.0)]])
    torch.testing.assert_close(policy_weights(logits), torch.tensor([[1 / 8, 2 / 8, 5 / 8]]))
    # tau = 2 -> softmax(logits / 2) ∝ (1, sqrt 2, sqrt 5)
    root = torch.tensor([1.0, math.sqrt(2.0), math.sqrt(5.0)])
    torch.testing.assert_close(policy_weights(logits, temperature=2.0), (root / root.sum())[None])
    # Gumbel noise is added to the logits before the softmax
    noise = torch.tensor([[math.log(5.0), 0.0, 0.0]])
    torch.testing.assert_close(policy_weights(logits, gumbel_noise=noise), torch.tensor([[5 / 12, 2 / 12, 5 / 12]]))
    with pytest.raises(ValueError, match="temperature"):
        policy_weights(logits, temperature=0.0)


def test_hard_policy_is_one_hot_forward_and_soft_backward() -> None:
    logits = torch.tensor([[0.0, math.log(3.0)]], requires_grad=True)
    w = policy_weights(logits, hard=True)
    assert w.tolist() == [[0.0, 1.0]]
    (w * torch.tensor([[1.0, 0.0]])).sum().backward()
    # d soft_0 / d logits = soft_0 (e_0 - soft) with soft = (1/4, 3/4)
    torch.testing.assert_close(logits.grad, torch.tensor([[0.25 * 0.75, -0.25 * 0.75]]))


def test_policy_net_equals_spottune_agent_on_converted_weights() -> None:
    golden = json.loads((GOLDEN / "spottune_agent.json").read_text())
    g = torch.Generator().manual_seed(golden["weight_seed"])
    original = {}
    for name, shape in golden["keys"]:  # regenerate the weights exactly as golden/README.md says
        if name.endswith("num_batches_tracked"):
            original[name] = torch.tensor(0)
        elif name.endswith("running_var"):
            original[name] = torch.rand(shape, generator=g) + 0.5
        elif len(shape) == 4:
            original[name] = torch.randn(shape, generator=g) * (2.0 / (shape[1] * shape[2] * shape[3])) ** 0.5
        elif len(shape) == 2:
            original[name] = torch.randn(shape, generator=g) * shape[1] ** -0.5
        elif name.endswith("weight"):
            original[name] = 1.0 + 0.1 * torch.randn(shape, generator=g)
        else:
            original[name] = 0.1 * torch.randn(shape, generator=g)
    policy = PolicyNet(golden["num_outputs"]).eval()
    policy.load_state_dict(convert_state_dict(original), strict=True)
    x = torch.randn(golden["input_shape"], generator=torch.Generator().manual_seed(golden["input_seed"]))
    with torch.no_grad():
        out = policy(x)
    torch.testing.assert_close(out, torch.tensor(golden["output"]), atol=1e-4, rtol=0)


def test_policy_resizes_its_input() -> None:
    policy = PolicyNet(3, stem_width=4, widths=(8,), input_size=16).eval()
    assert policy(torch.randn(2, 3, 64, 48)).shape == (2, 3)


def _tiny_member(num_classes: int = 5) -> torch.nn.Module:
    return torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.Flatten(),
                               torch.nn.LazyLinear(num_classes))


def test_members_stay_frozen_in_the_policy_stage() -> None:
    torch.manual_seed(0)
    members = [_tiny_member(), _tiny_member()]
    x = torch.randn(4, 3, 8, 8)
    for m in members:
        m(x)  # materialise the lazy layers
    amf = MultiTuned(members, PolicyNet(2, stem_width=4, widths=(8,)), ["a", "b"]).train()
    assert not any(m.training for m in amf.members) and amf.policy.training
    stats = members[0][1].running_mean.clone()
    out = amf(x)  # b, C log-probabilities
    torch.testing.assert_close(out.exp().sum(-1), torch.ones(4))
    out[:, 0].sum().backward()
    assert all(p.grad is None for p in amf.members.parameters())
    assert all(p.grad is not None for p in amf.policy.parameters())
    torch.testing.assert_close(members[0][1].running_mean, stats)  # BN statistics untouched


def test_forward_with_cached_member_logits_matches_the_full_forward() -> None:
    torch.manual_seed(0)
    members = [_tiny_member(), _tiny_member()]
    x = torch.randn(3, 3, 8, 8)
    for m in members:
        m(x)
    amf = MultiTuned(members, PolicyNet(2, stem_width=4, widths=(8,)), fusion="prob").eval()
    with torch.no_grad():
        torch.testing.assert_close(amf(x, amf.member_logits(x)), amf(x))
        expected = fuse(torch.stack([m(x) for m in members], 1), amf.weights(x))
        torch.testing.assert_close(amf(x), expected)


def test_gumbel_noise_only_while_training() -> None:
    torch.manual_seed(0)
    members = [_tiny_member(), _tiny_member()]
    x = torch.randn(3, 3, 8, 8)
    for m in members:
        m(x)
    amf = MultiTuned(members, PolicyNet(2, stem_width=4, widths=(8,)), gumbel=True, hard=True).train()
    with torch.no_grad():
        draws = {tuple(amf.weights(x).argmax(-1).tolist()) for _ in range(20)}
        assert len(draws) > 1  # sampled routes
        assert set(amf.weights(x).flatten().tolist()) <= {0.0, 1.0}  # hard: one member per sample
        amf.eval()
        torch.testing.assert_close(amf.weights(x), amf.weights(x))  # deterministic at inference


def test_fusion_stays_fp32_under_autocast() -> None:
    logits = torch.tensor([[[0.0, 12.0], [3.0, 0.0]]])
    weights = torch.tensor([[0.999, 0.001]])
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out = fuse(logits.bfloat16(), weights.bfloat16())
    assert out.dtype == torch.float32
    torch.testing.assert_close(out, fuse(logits.bfloat16().float(), weights.bfloat16().float()))
