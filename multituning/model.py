"""Adaptable Multi-tuning (AMF): K fine-tuned copies of one backbone, fused per sample by a policy network.

    x ──► member_1 (setting 1) ─► z_1 ┐
    x ──► member_2 (setting 2) ─► z_2 ├─► p(y|x) = Σ_k w_k(x) · softmax(z_k)_y   ("prob" fusion)
    x ──► member_K (setting K) ─► z_K ┘
    x ──► policy network ─► a(x) ─► w(x) = softmax(a(x) / τ)                         (b, K)

The policy network follows SpotTune's agent (gyhui14/spottune, agent_net.py): a 3x3 stem, one
basic block per stage with an average-pool + zero-channel shortcut, a BN-ReLU head, global pooling
and a linear layer, here with K outputs (one weight per fine-tuned member) instead of 2 per block.
"""

from __future__ import annotations

import contextlib
from dataclasses import replace

import torch
import torch.nn as nn
import torch.nn.functional as F

FUSIONS = ("prob", "logit")


def policy_weights(logits: torch.Tensor, temperature: float = 1.0, hard: bool = False,
                   gumbel_noise: torch.Tensor | None = None) -> torch.Tensor:
    """Per-sample weights over the K members from the policy's logits (b, K) -> (b, K), rows sum to 1.

    w = softmax((a + g) / τ); g is Gumbel noise during training when given (SpotTune samples it), none at
    inference. `hard`: the straight-through one-hot of w (forward picks one member, backward uses w).
    """
    if temperature <= 0:
        raise ValueError(f"policy temperature must be > 0, got {temperature}")
    if gumbel_noise is not None:
        logits = logits + gumbel_noise
    soft = F.softmax(logits / temperature, dim=-1)
    if not hard:
        return soft
    one_hot = F.one_hot(soft.argmax(-1), soft.shape[-1]).to(soft.dtype)
    return (one_hot - soft).detach() + soft


def sample_gumbel(shape: torch.Size, device: torch.device, eps: float = 1e-20) -> torch.Tensor:
    u = torch.rand(shape, device=device)
    return -torch.log(-torch.log(u + eps) + eps)


def fuse(member_logits: torch.Tensor, weights: torch.Tensor, mode: str = "prob") -> torch.Tensor:
    """Fused log-probabilities (b, C) from member logits (b, K, C) and weights (b, K).

    "prob":  log Σ_k w_k softmax(z_k)   (a per-sample mixture of the members' predictive distributions)
    "logit": log_softmax(Σ_k w_k z_k)   (a per-sample weighted sum of logits)
    """
    if member_logits.dim() != 3 or weights.shape != member_logits.shape[:2]:
        raise ValueError(f"expected member logits (b, K, C) and weights (b, K), got {tuple(member_logits.shape)} "
                         f"and {tuple(weights.shape)}")
    # in fp32 even under autocast: a bf16 mixture of probabilities would lose the small ones (a device without
    # autocast, such as meta, has nothing to turn off)
    device_type = member_logits.device.type
    no_autocast = (torch.autocast(device_type, enabled=False) if torch.amp.is_autocast_available(device_type)
                   else contextlib.nullcontext())
    with no_autocast:
        weights, member_logits = weights.float(), member_logits.float()
        if mode == "prob":
            probs = torch.einsum("bk,bkc->bc", weights, member_logits.softmax(-1))
            # a sample whose chosen members all give probability 0 would be -inf; the floor keeps the loss finite
            return probs.clamp_min(torch.finfo(probs.dtype).tiny).log()
        if mode == "logit":
            return torch.einsum("bk,bkc->bc", weights, member_logits).log_softmax(-1)
    raise ValueError(f"fusion must be one of {FUSIONS}, got {mode!r}")


class PolicyBlock(nn.Module):
    """conv3x3(stride) - BN - ReLU - conv3x3 - BN, plus a shortcut: avg-pool and zero-padded channels."""

    def __init__(self, in_ch: int, out_ch: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_ch, out_ch, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_ch)
        self.conv2 = nn.Conv2d(out_ch, out_ch, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_ch)
        self.stride = stride
        self.pad_channels = out_ch - in_ch
        if self.pad_channels < 0:
            raise ValueError(f"policy stage widths must not shrink: {in_ch} -> {out_ch}")

    def shortcut(self, x: torch.Tensor) -> torch.Tensor:
        if self.stride != 1:
            x = F.avg_pool2d(x, self.stride)
        if self.pad_channels:
            x = F.pad(x, (0, 0, 0, 0, 0, self.pad_channels))  # zeros for the new channels
        return x

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(self.shortcut(x) + out)


class PolicyNet(nn.Module):
    """SpotTune's agent: stem (3x3, 32) - BN, stages of widths 64/128/256 with stride 2, BN-ReLU, pool, linear."""

    def __init__(self, num_outputs: int, in_chans: int = 3, stem_width: int = 32,
                 widths: tuple[int, ...] = (64, 128, 256), input_size: int | None = None) -> None:
        super().__init__()
        self.input_size = input_size  # images are resized to this before the policy sees them (None: as given)
        self.conv1 = nn.Conv2d(in_chans, stem_width, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(stem_width)
        chans = (stem_width, *widths)
        self.stages = nn.ModuleList(PolicyBlock(chans[i], chans[i + 1], 2) for i in range(len(widths)))
        self.head_norm = nn.BatchNorm2d(chans[-1])
        self.fc = nn.Linear(chans[-1], num_outputs)
        for m in self.modules():  # the agent's init: He normal (fan-out) for convs, BN at (1, 0)
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.input_size is not None and x.shape[-1] != self.input_size:
            x = F.interpolate(x, size=(self.input_size, self.input_size), mode="bilinear", align_corners=False,
                              antialias=True)
        x = self.bn1(self.conv1(x))  # the agent has no ReLU after its stem
        for stage in self.stages:
            x = stage(x)
        x = F.relu(self.head_norm(x))
        return self.fc(x.mean((2, 3)))  # b, K


class MultiTuned(nn.Module):
    """K fine-tuned members and a policy network; forward returns fused log-probabilities (b, C).

    With `freeze_members` (the policy stage), the members stay in eval mode and get no gradients.
    """

    def __init__(self, members: list[nn.Module], policy: nn.Module, names: list[str] | None = None,
                 fusion: str = "prob", temperature: float = 1.0, hard: bool = False, gumbel: bool = False,
                 freeze_members: bool = True) -> None:
        super().__init__()
        if fusion not in FUSIONS:
            raise ValueError(f"fusion must be one of {FUSIONS}, got {fusion!r}")
        self.members = nn.ModuleList(members)
        self.policy = policy
        self.names = list(names) if names is not None else [f"member{k}" for k in range(len(members))]
        self.fusion = fusion
        self.temperature = temperature
        self.hard = hard
        self.gumbel = gumbel
        self.freeze_members = freeze_members
        if freeze_members:
            self.members.requires_grad_(False)

    def train(self, mode: bool = True) -> MultiTuned:
        super().train(mode)
        if self.freeze_members:
            self.members.eval()  # frozen members keep their BN statistics
        return self

    def member_logits(self, x: torch.Tensor) -> torch.Tensor:
        with torch.set_grad_enabled(torch.is_grad_enabled() and not self.freeze_members):
            return torch.stack([m(x) for m in self.members], 1)  # b, K, C

    def weights(self, x: torch.Tensor) -> torch.Tensor:
        logits = self.policy(x)  # b, K
        noise = sample_gumbel(logits.shape, logits.device) if self.gumbel and self.training else None
        return policy_weights(logits, self.temperature, self.hard, noise)

    def forward(self, x: torch.Tensor, member_logits: torch.Tensor | None = None) -> torch.Tensor:
        """`member_logits` (b, K, C): the members' outputs when already computed (e.g. cached)."""
        if member_logits is None:
            member_logits = self.member_logits(x)
        return fuse(member_logits, self.weights(x), self.fusion)


def build_model(cfg) -> MultiTuned:
    """AMF of an experiment config (`AMFConfig`): K members (the backbone with a new head, no weights read) and
    the policy, members trainable (`schedule=joint`) or frozen (the two-stage policy stage)."""
    from multituning.data import NUM_CLASSES
    from multituning.members import build_member

    settings = cfg.members.parsed()
    backbone = replace(cfg.members.backbone, pretrained_file="")  # loading happens in train.py
    num_classes = NUM_CLASSES.get(cfg.data.name, 10)
    members = [build_member(backbone, s, num_classes) for s in settings]
    p = cfg.policy
    policy = PolicyNet(len(members), stem_width=p.stem_width, widths=p.widths, input_size=p.input_size or None)
    return MultiTuned(members, policy, [s.name for s in settings], fusion=p.fusion, temperature=p.temperature,
                      hard=p.hard, gumbel=p.gumbel, freeze_members=cfg.schedule != "joint")
