"""Every paper config builds (on the meta device) with the expected parameter count, and the stage schedules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from multituning.data import NUM_CLASSES
from multituning.members import BackboneConfig, build_backbone, build_member
from multituning.model import PolicyNet
from shared.config import load_config
from shared.schedules import build_scheduler

CONFIGS = Path(__file__).parents[2] / "multituning" / "configs"
PAPER_CONFIGS = ("fgvc_aircraft", "dtd", "stanford_cars", "cifar10", "fashion_mnist")
# ResNet-50 (He et al. 2016; torchvision's count): 25,557,032 parameters with its 1000-class head, of which
# the head holds 2048 * 1000 + 1000. The paper gives no count of its own.
RESNET50 = 25_557_032
RESNET50_TRUNK = RESNET50 - 2048 * 1000 - 1000
# SpotTune's agent without its K-way linear layer (checked against the original's keys in the golden file)
POLICY_TRUNK = 1_164_448


def n_params(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def test_resnet50_count() -> None:
    with torch.device("meta"):
        assert n_params(build_backbone(BackboneConfig(arch="resnet50"), 1000)) == RESNET50


def test_policy_count_matches_the_spottune_agent() -> None:
    golden = json.loads((Path(__file__).with_name("golden") / "spottune_agent.json").read_text())
    original = sum(torch.Size(shape).numel() for name, shape in golden["keys"]
                   if not name.startswith("parallel_blocks") and "running" not in name and "num_batches" not in name)
    k = golden["num_outputs"]
    assert original == POLICY_TRUNK + 256 * k + k == n_params(PolicyNet(k))


@pytest.mark.parametrize("name", PAPER_CONFIGS)
def test_paper_config_parameter_count(name: str) -> None:
    cfg = load_config(CONFIGS / f"{name}.py")
    assert cfg.data.name == name and cfg.members.backbone.arch == "resnet50"
    settings = cfg.members.parsed()
    c, k = NUM_CLASSES[name], len(settings)
    backbone = BackboneConfig(arch="resnet50")  # meta device: no weights file is read
    with torch.device("meta"):
        members = [build_member(backbone, s, c) for s in settings]
        policy = PolicyNet(k, stem_width=cfg.policy.stem_width, widths=cfg.policy.widths)
    assert [n_params(m) for m in members] == [RESNET50_TRUNK + 2048 * c + c] * k
    assert n_params(policy) == POLICY_TRUNK + 256 * k + k


def test_stage_schedule_is_cosine_and_keeps_each_groups_lr_ratio() -> None:
    cfg = load_config(CONFIGS / "dtd.py")
    stage = cfg.finetune
    assert (stage.optim.name, stage.optim.lr, stage.optim.momentum, stage.schedule.name) == ("sgd", 0.01, 0.9, "cosine")
    head, backbone = torch.nn.Parameter(torch.zeros(1)), torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([{"params": [head], "lr": 0.01}, {"params": [backbone], "lr": 0.001}], lr=0.01)
    sched = build_scheduler(opt, stage.schedule, total_steps=4)
    seen = []
    for _ in range(4):
        seen.append([g["lr"] for g in opt.param_groups])
        opt.step()
        sched.step()
    # lr_t = lr_0 * (1 + cos(pi t / 4)) / 2
    factors = [1.0, (1 + 2 ** -0.5) / 2, 0.5, (1 - 2 ** -0.5) / 2]
    for (h, b), f in zip(seen, factors, strict=True):
        assert h == pytest.approx(0.01 * f) and b == pytest.approx(0.001 * f)
    assert cfg.policy.train.max_steps == stage.max_steps // 2 and cfg.policy.train.optim.weight_decay == 0.001


@pytest.mark.parametrize("name", PAPER_CONFIGS)
def test_every_stage_normalises_over_the_whole_global_batch(name: str) -> None:
    cfg = load_config(CONFIGS / f"{name}.py")
    stages = [cfg.finetune, *(section.train for section in (cfg.policy, cfg.members)
                              if hasattr(section, "train"))]
    assert stages and all(stage.sync_batchnorm for stage in stages)  # the result must not depend on the GPU count
