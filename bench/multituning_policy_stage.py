"""Policy-stage step time: members' logits cached once vs recomputed every step, and L2-SP as a fused
gradient vs back-propagated penalty. Rows: name, size, ours, baseline, ratio (seconds per step; ratio =
baseline / ours)."""

from __future__ import annotations

import time

import torch
import torch.nn.functional as F

from multituning.members import BackboneConfig, build_member, parse_setting
from multituning.model import MultiTuned, PolicyNet

SMALL = BackboneConfig(layers=(1, 1, 1, 1), channels=(16, 32, 64, 128), stem_width=16)


def per_step(fn, steps: int = 10) -> float:
    fn()  # warm-up
    start = time.perf_counter()
    for _ in range(steps):
        fn()
    return (time.perf_counter() - start) / steps


def policy_stage(batch: int, size: int) -> tuple[float, float]:
    torch.manual_seed(0)
    members = [build_member(SMALL, parse_setting(s), 13) for s in ("standard", "a:frozen_stages=3", "b:l2sp_alpha=0.1")]
    amf = MultiTuned(members, PolicyNet(3, stem_width=8, widths=(16, 32, 64), input_size=16)).train()
    opt = torch.optim.SGD(amf.policy.parameters(), lr=0.01, momentum=0.9)
    x, y = torch.randn(batch, 3, size, size), torch.randint(0, 13, (batch,))
    with torch.no_grad():
        cached = amf.member_logits(x)

    def step(logits):
        opt.zero_grad()
        F.nll_loss(amf(x, logits), y).backward()
        opt.step()

    return per_step(lambda: step(cached)), per_step(lambda: step(None))


def l2sp(batch: int, size: int) -> tuple[float, float]:
    torch.manual_seed(0)
    member = build_member(SMALL, parse_setting("l2sp:l2sp_alpha=0.1,l2sp_beta=0.01"), 13).train()
    x, y = torch.randn(batch, 3, size, size), torch.randint(0, 13, (batch,))

    def fused():
        member.zero_grad()
        F.cross_entropy(member(x), y).backward()
        member.add_regularizer_grad()

    def penalty():
        member.zero_grad()
        (F.cross_entropy(member(x), y) + member.regularizer()).backward()

    return per_step(fused), per_step(penalty)


def main() -> None:
    torch.set_num_threads(1)
    print("name, size, ours, baseline, ratio")
    for name, fn in (("policy_step_cached_vs_recomputed", policy_stage), ("l2sp_fused_grad_vs_penalty", l2sp)):
        ours, baseline = fn(32, 32)
        print(f"{name}, 32x3x32x32, {ours:.4f}, {baseline:.4f}, {baseline / ours:.2f}")


if __name__ == "__main__":
    main()
