"""The pretrained backbone and the fine-tuning settings that turn copies of it into AMF's members.

A setting says which early stages stay frozen, how the backbone's learning rate relates to the new
head's, and whether the weights are pulled towards their pretrained values (L2-SP, Li et al. 2018).
"""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn as nn
from timm.models.resnet import BasicBlock, Bottleneck, ResNet

from multituning.config import (  # noqa: F401  (re-exported: the settings are read where members are built)
    DEFAULT_SETTINGS,
    BackboneConfig,
    FineTuneSetting,
    MembersConfig,
    parse_setting,
)
from multituning.convert import convert_state_dict, load_original

# a timm/torchvision ResNet's parts, from the input on; `frozen_stages = n` freezes the first n
RESNET_STAGES = (("conv1", "bn1"), ("layer1",), ("layer2",), ("layer3",), ("layer4",))
HEAD = "fc"


def build_backbone(cfg: BackboneConfig, num_classes: int) -> nn.Module:
    """A ResNet with a `num_classes` head; weights from `cfg.pretrained_file` when given (the head stays new)."""
    if cfg.layers:
        block = BasicBlock if cfg.block == "basic" else Bottleneck
        model = ResNet(block, cfg.layers, num_classes=num_classes, channels=cfg.channels, stem_width=cfg.stem_width)
    else:
        import timm

        model = timm.create_model(cfg.arch, pretrained=False, num_classes=num_classes)
    if cfg.pretrained_file:
        load_pretrained(model, cfg.pretrained_file)
    return model


def load_pretrained(model: nn.Module, path: str | Path) -> None:
    """Load a pretrained ResNet's weights except its classifier; any other missing or extra key is an error."""
    state = convert_state_dict(load_original(path))
    state = {k: v for k, v in state.items() if not k.startswith(HEAD + ".")}
    own = model.state_dict()
    bad_shapes = [f"{k}: file {tuple(v.shape)}, model {tuple(own[k].shape)}"
                  for k, v in state.items() if k in own and own[k].shape != v.shape]
    if bad_shapes:
        raise ValueError(f"{path}: weights do not fit the backbone ({'; '.join(bad_shapes[:3])})")
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [k for k in missing if not k.startswith(HEAD + ".")]
    if missing or unexpected:
        raise ValueError(f"{path}: not the backbone's layout; missing keys {missing[:5]}, unexpected {unexpected[:5]}")


class Member(nn.Module):
    """One fine-tuned copy of the backbone under one setting: frozen stages, LR groups and L2-SP."""

    def __init__(self, backbone: nn.Module, setting: FineTuneSetting) -> None:
        super().__init__()
        if not 0 <= setting.frozen_stages <= len(RESNET_STAGES):
            raise ValueError(f"setting {setting.name!r}: frozen_stages must be in [0, {len(RESNET_STAGES)}], "
                             f"got {setting.frozen_stages}")
        self.backbone = backbone
        self.setting = setting
        self.frozen = [getattr(backbone, name) for stage in RESNET_STAGES[: setting.frozen_stages] for name in stage]
        for module in self.frozen:
            module.requires_grad_(False)
        # L2-SP's reference point: the pretrained weights of every trainable backbone parameter
        for i, (_, p) in enumerate(self.backbone_parameters() if setting.l2sp_alpha > 0 else []):
            self.register_buffer(f"l2sp_ref{i}", p.detach().clone(), persistent=False)

    def backbone_parameters(self) -> list[tuple[str, nn.Parameter]]:
        return [(n, p) for n, p in self.backbone.named_parameters() if p.requires_grad and not n.startswith(HEAD + ".")]

    def head_parameters(self) -> list[nn.Parameter]:
        return list(getattr(self.backbone, HEAD).parameters())

    def train(self, mode: bool = True) -> Member:
        super().train(mode)
        for module in self.frozen:
            module.eval()  # frozen stages keep their pretrained BN statistics
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.backbone(x)  # b, C

    def regularizer(self) -> torch.Tensor:
        """L2-SP: alpha/2 Σ ||w - w0||^2 over the pretrained weights + beta/2 ||w_head||^2; 0 without L2-SP."""
        s = self.setting
        total = self.head_parameters()[0].new_zeros(())
        if s.l2sp_alpha > 0:
            for (_, p), ref in zip(self.backbone_parameters(), self.l2sp_references(), strict=True):
                total = total + 0.5 * s.l2sp_alpha * (p - ref).pow(2).sum()
        if s.l2sp_beta > 0:
            total = total + 0.5 * s.l2sp_beta * sum(p.pow(2).sum() for p in self.head_parameters())
        return total

    def l2sp_references(self) -> list[torch.Tensor]:
        return [getattr(self, f"l2sp_ref{i}") for i in range(len(self.backbone_parameters()))]

    @torch.no_grad()
    def add_regularizer_grad(self) -> None:
        """Add the gradient of `regularizer()` to the parameters' gradients: alpha (w - w0) and beta w_head.

        The same update as back-propagating the penalty, in a few fused ops instead of one graph node per
        tensor (a hook before each optimizer step calls this)."""
        s = self.setting
        if s.l2sp_alpha > 0:
            params = [p for _, p in self.backbone_parameters() if p.grad is not None]
            refs = [r for (_, p), r in zip(self.backbone_parameters(), self.l2sp_references(), strict=True)
                    if p.grad is not None]
            torch._foreach_add_([p.grad for p in params], torch._foreach_sub(params, refs), alpha=s.l2sp_alpha)
        if s.l2sp_beta > 0:
            head = [p for p in self.head_parameters() if p.grad is not None]
            torch._foreach_add_([p.grad for p in head], head, alpha=s.l2sp_beta)

    def param_groups(self, lr: float, weight_decay: float) -> list[dict]:
        """Head at `lr`, backbone at `lr * backbone_lr_scale`; L2-SP replaces weight decay."""
        wd = 0.0 if self.setting.l2sp_alpha > 0 or self.setting.l2sp_beta > 0 else weight_decay
        groups = [{"params": self.head_parameters(), "lr": lr, "weight_decay": wd}]
        backbone = [p for _, p in self.backbone_parameters()]
        if backbone:
            groups.append({"params": backbone, "lr": lr * self.setting.backbone_lr_scale, "weight_decay": wd})
        return groups


def build_member(cfg: BackboneConfig, setting: FineTuneSetting, num_classes: int) -> Member:
    return Member(build_backbone(cfg, num_classes), setting)
