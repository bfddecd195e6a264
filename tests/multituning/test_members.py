"""Fine-tuning settings: frozen stages, learning-rate groups, L2-SP, and loading pretrained weights."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from multituning.members import BackboneConfig, Member, build_backbone, build_member, load_pretrained, parse_setting

TINY = BackboneConfig(layers=(1, 1, 1, 1), channels=(4, 8, 8, 8), stem_width=4)


def test_parse_setting_specs() -> None:
    s = parse_setting("l2sp:l2sp_alpha=0.1,l2sp_beta=0.01")
    assert (s.name, s.l2sp_alpha, s.l2sp_beta, s.frozen_stages) == ("l2sp", 0.1, 0.01, 0)
    assert parse_setting("freeze_low:frozen_stages=3").frozen_stages == 3
    with pytest.raises(ValueError, match="frozen_stages expects int"):
        parse_setting("x:frozen_stages=two")
    with pytest.raises(ValueError, match="field=value with field in"):
        parse_setting("x:lr=3")


def test_frozen_stages_get_no_gradient_and_keep_bn_statistics() -> None:
    torch.manual_seed(0)
    member = build_member(TINY, parse_setting("f:frozen_stages=3"), num_classes=3).train()
    trainable = {n.split(".")[1] for n, p in member.named_parameters() if p.requires_grad}
    assert trainable == {"layer3", "layer4", "fc"}
    assert not member.backbone.bn1.training and not member.backbone.layer2.training
    assert member.backbone.layer3.training
    stats = member.backbone.layer1[0].bn1.running_mean.clone()
    member(torch.randn(4, 3, 32, 32))
    torch.testing.assert_close(member.backbone.layer1[0].bn1.running_mean, stats)
    with pytest.raises(ValueError, match="frozen_stages must be in"):
        build_member(TINY, parse_setting("f:frozen_stages=6"), 3)


def test_learning_rate_groups() -> None:
    member = build_member(TINY, parse_setting("s:backbone_lr_scale=0.1"), 3)
    head, backbone = member.param_groups(lr=0.01, weight_decay=1e-4)
    assert head["lr"] == 0.01 and backbone["lr"] == pytest.approx(0.001)
    assert {id(p) for p in head["params"]} == {id(member.backbone.fc.weight), id(member.backbone.fc.bias)}
    assert len(head["params"]) + len(backbone["params"]) == len(list(member.parameters()))
    l2sp = build_member(TINY, parse_setting("l:l2sp_alpha=0.1"), 3)
    assert all(g["weight_decay"] == 0.0 for g in l2sp.param_groups(0.01, 1e-4))  # L2-SP replaces weight decay


def test_l2sp_penalty_by_hand() -> None:
    torch.manual_seed(0)
    member = build_member(TINY, parse_setting("l:l2sp_alpha=0.5,l2sp_beta=0.25"), 3)
    assert member.regularizer().item() == pytest.approx(0.125 * sum(p.pow(2).sum().item()
                                                                    for p in member.head_parameters()))
    with torch.no_grad():
        member.backbone.conv1.weight.add_(2.0)  # ||w - w0||^2 = 4 * numel
    n = member.backbone.conv1.weight.numel()
    head = 0.125 * sum(p.pow(2).sum().item() for p in member.head_parameters())
    assert member.regularizer().item() == pytest.approx(0.25 * 4 * n + head, rel=1e-5)


def test_l2sp_gradient_hook_equals_backprop_of_the_penalty() -> None:
    torch.manual_seed(0)
    member = build_member(TINY, parse_setting("l:l2sp_alpha=0.3,l2sp_beta=0.2"), 3)
    with torch.no_grad():
        for p in member.parameters():
            p.add_(0.1 * torch.randn_like(p))
    member.regularizer().backward()
    expected = [p.grad.clone() for p in member.parameters()]
    for p in member.parameters():
        p.grad = torch.zeros_like(p)
    member.add_regularizer_grad()
    for got, want in zip([p.grad for p in member.parameters()], expected, strict=True):
        torch.testing.assert_close(got, want)


def test_torchvision_weights_load_and_give_torchvision_outputs(tmp_path: Path) -> None:
    import torchvision

    torch.manual_seed(0)
    reference = torchvision.models.resnet18(num_classes=10).eval()
    for m in reference.modules():  # non-trivial BN statistics
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.1, 0.1)
            m.running_var.uniform_(0.5, 1.5)
    path = tmp_path / "resnet18.pth"
    torch.save({"state_dict": {f"module.{k}": v for k, v in reference.state_dict().items()}}, path)
    ours = build_backbone(BackboneConfig(arch="resnet18", pretrained_file=str(path)), num_classes=10).eval()
    ours.fc.load_state_dict(reference.fc.state_dict())  # the head is never loaded: it is new for the target
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        torch.testing.assert_close(ours(x), reference(x), atol=1e-4, rtol=0)


def test_pretrained_file_of_another_architecture_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "tiny.pth"
    torch.save(build_backbone(TINY, 3).state_dict(), path)
    with pytest.raises(ValueError, match="do not fit the backbone"):
        load_pretrained(build_backbone(BackboneConfig(layers=(1, 1, 1, 1), channels=(8, 8, 8, 8), stem_width=4), 3),
                        path)
    with pytest.raises(FileNotFoundError, match="weights file not found"):
        load_pretrained(build_backbone(TINY, 3), tmp_path / "missing.pth")


def test_member_is_a_module_over_the_backbone() -> None:
    member = Member(build_backbone(TINY, 3), parse_setting("standard"))
    assert member(torch.randn(2, 3, 32, 32)).shape == (2, 3)
    assert all(k.startswith("backbone.") for k in member.state_dict())
