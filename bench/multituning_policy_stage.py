"""Policy-stage step time: members' logits cached once vs recomputed every step, and L2-SP as a fused
gradient vs back-propagated penalty. Rows: name, size, ours, baseline, ratio (bench/timing.py: median of
alternating repeats; ratio = baseline / ours)."""

from __future__ import annotations

import sys
from pathlib import Path

import torch
import torch.nn.functional as F

from multituning.members import BackboneConfig, build_member, parse_setting
from multituning.model import MultiTuned, PolicyNet

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import compare, print_header, print_row  # noqa: E402

SMALL = BackboneConfig(layers=(1, 1, 1, 1), channels=(16, 32, 64, 128), stem_width=16)


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

    return compare(lambda: step(cached), lambda: step(None), repeats=10)


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

    return compare(fused, penalty, repeats=10)


def main() -> None:
    torch.set_num_threads(1)
    print_header()
    for name, fn in (("policy_step_cached_vs_recomputed", policy_stage), ("l2sp_fused_grad_vs_penalty", l2sp)):
        ours, baseline = fn(32, 32)
        print_row(name, "32x3x32x32", ours, baseline)


if __name__ == "__main__":
    main()
