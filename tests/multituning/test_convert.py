"""The converter's command line: wrapped checkpoints in, our keys out, loadable with strict=True."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch
import torchvision

from multituning import convert
from multituning.members import BackboneConfig, build_backbone
from multituning.model import PolicyNet


def _cli(monkeypatch, src: Path, out: Path) -> dict:
    monkeypatch.setattr(sys, "argv", ["convert", str(src), str(out)])
    convert.main()
    return torch.load(out, weights_only=True)


def test_cli_converts_a_wrapped_torchvision_resnet(tmp_path: Path, monkeypatch) -> None:
    reference = torchvision.models.resnet18(num_classes=7)
    torch.save({"model": {f"module.{k}": v for k, v in reference.state_dict().items()}}, tmp_path / "tv.pth")
    state = _cli(monkeypatch, tmp_path / "tv.pth", tmp_path / "ours.pth")
    build_backbone(BackboneConfig(arch="resnet18"), 7).load_state_dict(state, strict=True)


def test_cli_converts_a_spottune_agent_checkpoint(tmp_path: Path, monkeypatch) -> None:
    policy = PolicyNet(4)
    spottune_names = {"stages": "blocks", "head_norm": "bn2.0", "fc": "linear"}
    original = {}
    for key, value in policy.state_dict().items():  # our keys written back in the agent's layout
        head, _, rest = key.partition(".")
        if head == "stages":
            stage, _, leaf = rest.partition(".")
            leaf = leaf.replace("conv2.", "conv2.1.")
            original[f"blocks.{stage}.0.{leaf}"] = value
        else:
            original[f"{spottune_names.get(head, head)}.{rest}"] = value
    original["parallel_blocks.0.0.conv1.weight"] = torch.zeros(1)  # built by the agent, never used
    torch.save({"agent": original}, tmp_path / "agent.t7")
    state = _cli(monkeypatch, tmp_path / "agent.t7", tmp_path / "policy.pth")
    PolicyNet(4).load_state_dict(state, strict=True)


def test_not_a_state_dict_is_refused(tmp_path: Path) -> None:
    torch.save({"a": 1}, tmp_path / "bad.pth")
    with pytest.raises(ValueError, match="bad.pth: expected a dict of tensors"):
        convert.load_original(tmp_path / "bad.pth")
    with pytest.raises(KeyError, match="not a ResNet state dict"):
        convert.convert_state_dict({"x.weight": torch.zeros(1)})
