"""The weight-sharing vision Transformer (mixFormer's `transformersuper_cifar10`), plain PyTorch.

    images (b, c, H, W)
      -> patch embedding (first E_s channels of a shared conv)         b, p, E_s
      -> [cls ; patches] · sqrt(E_s) + pos_embed[..., :E_s]            b, 1+p, E_s
      -> L_s pre-LN layers, each: x + Attn_l(LN(x)),  x + FFN_l(LN(x))
         Attn_l is cosFormer or softmax attention with heads_l · head_dim channels (one set of shared
         weights per attention type in every layer); FFN_l = fc2(relu(fc1(x))) with ffn_l channels
      -> LN -> mean over the patch tokens (the cls token is not used for the output, as the original)
      -> linear head                                                   b, classes
The supernet holds the largest size of everything; `forward(images, arch)` runs sub-network `arch`.
Dropout scales with the sampled width (`calc_dropout`: p · E_s / E), drop-path grows linearly over
the supernet's depth.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from nas_efficient.arch import Arch
from nas_efficient.config import NasConfig, SearchSpace, SupernetConfig
from nas_efficient.super_modules import SuperLayerNorm, SuperLinear, SuperPatchEmbed, SuperSelfAttention


def drop_path(x: torch.Tensor, p: float, training: bool) -> torch.Tensor:
    """Stochastic depth: drop the whole residual branch per sample."""
    if p == 0.0 or not training:
        return x
    keep = torch.empty((x.shape[0],) + (1,) * (x.ndim - 1), dtype=x.dtype, device=x.device).bernoulli_(1 - p)
    return x * keep / (1 - p)


def xavier(linear: SuperLinear) -> SuperLinear:
    """The original's `LinearSuper` init (fc1, fc2, head): xavier-uniform weight, zero bias."""
    nn.init.xavier_uniform_(linear.weight)
    nn.init.zeros_(linear.bias)
    return linear


class SuperEncoderLayer(nn.Module):
    def __init__(self, embed_dim: int, ffn_dim: int, qkv_dim: int, cfg: SupernetConfig, drop_path: float,
                 kinds: list[str]) -> None:
        super().__init__()
        self.cfg = cfg
        self.drop_path = drop_path
        # one set of weights per attention type this layer may use
        self.attention = nn.ModuleDict({
            kind: SuperSelfAttention(embed_dim, qkv_dim, kind, causal=cfg.causal_cosformer and kind == "cosformer",
                                     dropout=cfg.attention_dropout if kind == "softmax" else 0.0)
            for kind in kinds
        })
        self.attention_norm = SuperLayerNorm(embed_dim)
        self.fc1 = xavier(SuperLinear(embed_dim, ffn_dim))
        self.fc2 = xavier(SuperLinear(ffn_dim, embed_dim))
        self.ffn_norm = SuperLayerNorm(embed_dim)

    def forward(self, x: torch.Tensor, ffn_dim: int, heads: int, attention: str, dropout: float,
                activation_dropout: float) -> torch.Tensor:
        embed_dim = x.shape[-1]
        h = self.attention[attention](self.attention_norm(x), heads, self.cfg.head_dim)
        h = F.dropout(h, dropout, self.training)
        x = x + drop_path(h, self.drop_path, self.training)
        h = F.relu(self.fc1(self.ffn_norm(x), ffn_dim))
        h = F.dropout(h, activation_dropout, self.training)
        h = F.dropout(self.fc2(h, embed_dim), dropout, self.training)
        return x + drop_path(h, self.drop_path, self.training)


class VisionSupernet(nn.Module):
    """With `fixed`, every layer is built at exactly that architecture's sizes with only its attention
    type: a plain network of one architecture (for retraining) rather than a supernet."""

    def __init__(self, space: SearchSpace, cfg: SupernetConfig, fixed: Arch | None = None) -> None:
        super().__init__()
        self.space, self.cfg = space, cfg
        self.embed_dim = max(space.embed_dims)
        qkv_dim = max(space.heads) * cfg.head_dim
        num_layers = space.max_layers
        self.patch_embed = SuperPatchEmbed(cfg.image_size, cfg.patch_size, cfg.in_chans, self.embed_dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, self.embed_dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, self.patch_embed.num_patches + 1, self.embed_dim))
        nn.init.trunc_normal_(self.cls_token, std=0.02)
        nn.init.trunc_normal_(self.pos_embed, std=0.02)
        rates = [cfg.drop_path * i / max(num_layers - 1, 1) for i in range(num_layers)]  # linspace(0, p, L)
        self.layers = nn.ModuleList(
            SuperEncoderLayer(self.embed_dim, max(space.ffn_dims), qkv_dim, cfg, rates[i], space.attention)
            if fixed is None else
            SuperEncoderLayer(self.embed_dim, fixed.ffn_dims[i], fixed.heads[i] * cfg.head_dim, cfg, rates[i],
                              [fixed.attention[i]])
            for i in range(num_layers)
        )
        self.norm = SuperLayerNorm(self.embed_dim)
        self.head = xavier(SuperLinear(self.embed_dim, cfg.num_classes))

    def forward(self, images: torch.Tensor, arch: Arch) -> torch.Tensor:
        if arch.num_layers > len(self.layers) or arch.embed_dim > self.embed_dim:
            raise ValueError(f"architecture {arch} does not fit in the supernet")
        e = arch.embed_dim
        x = self.patch_embed(images, e)  # b, p, e
        x = torch.cat([self.cls_token[..., :e].expand(len(x), -1, -1), x], dim=1)
        x = math.sqrt(e) * x + self.pos_embed[..., :e]  # b, 1+p, e
        scale = e / self.embed_dim
        dropout, activation_dropout = self.cfg.dropout * scale, self.cfg.activation_dropout * scale
        x = F.dropout(x, dropout, self.training)
        for i in range(arch.num_layers):
            x = self.layers[i](x, arch.ffn_dims[i], arch.heads[i], arch.attention[i], dropout, activation_dropout)
        x = self.norm(x)[:, 1:].mean(dim=1)  # b, e
        return self.head(x)


def subnet_arch(cfg: NasConfig) -> Arch:
    """The architecture a subnet config trains: `arch_file` when given, else the inline `arch`."""
    return Arch.load(cfg.arch_file) if cfg.arch_file else cfg.arch.to_arch()


def build_subnet(arch: Arch, cfg: SupernetConfig) -> VisionSupernet:
    """A stand-alone network of exactly `arch`'s size (for retraining a searched architecture)."""
    space = SearchSpace([arch.embed_dim], [arch.num_layers], sorted(set(arch.ffn_dims)), sorted(set(arch.heads)),
                        sorted(set(arch.attention)))
    return VisionSupernet(space, cfg, fixed=arch)


class FixedArch(nn.Module):
    """A supernet bound to one architecture: `model(images)` -> logits, for the shared trainer."""

    def __init__(self, supernet: VisionSupernet, arch: Arch) -> None:
        super().__init__()
        self.supernet, self.arch = supernet, arch

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.supernet(images, self.arch)


def fits(space: SearchSpace, arch: Arch) -> bool:
    """Whether the supernet of `space` holds `arch` (every size at most the largest choice)."""
    return (arch.embed_dim <= max(space.embed_dims) and arch.num_layers <= space.max_layers
            and max(arch.ffn_dims) <= max(space.ffn_dims) and max(arch.heads) <= max(space.heads)
            and set(arch.attention) <= set(space.attention))


def build_model(cfg: NasConfig) -> nn.Module:
    """The network a config trains, with fresh weights.

    supernet: the weight-sharing supernet (`forward(images, arch)`). subnet: the architecture of the config as
    a plain network whose initial weights are the leading slices of a freshly initialised supernet of
    `cfg.space`, as the original retrains a sub-network (a supernet restricted to one sampled config, so
    each tensor starts as the slice of the supernet-sized initialisation); `forward(images)`.
    """
    if cfg.mode == "supernet":
        return VisionSupernet(cfg.space, cfg.model)
    arch = subnet_arch(cfg)
    if not fits(cfg.space, arch):
        raise ValueError(f"subnet architecture {arch} does not fit in the supernet of space {cfg.space}")
    return FixedArch(extract_subnet(VisionSupernet(cfg.space, cfg.model), arch), arch)


def count_parameters(cfg: SupernetConfig, space: SearchSpace, arch: Arch) -> int:
    """The original's sub-network size, `get_sampled_params_numel` of `transformersuper_cifar10`.

    What the original counts (and so the 25M search constraint and the reported sizes): the sampled slices
    of the patch conv, of every used layer's norms, FFN and attention output projection, of the final norm
    and the head; of each used layer's selected attention the sampled q/k/v weights plus its FULL
    `in_proj_bias` (3 x the supernet's qkv width) and, for cosFormer, its `weight_index` position buffer
    (4096 values). Not counted: the cls token and the position embeddings (parameters outside any module
    with a count), and the layers' unselected attention modules.
    """
    e, pixels = arch.embed_dim, cfg.in_chans * cfg.patch_size ** 2
    super_qkv = max(space.heads) * cfg.head_dim
    total = e * pixels + e  # patch conv
    for f, heads, kind in zip(arch.ffn_dims, arch.heads, arch.attention, strict=True):
        q = heads * cfg.head_dim
        total += 3 * q * e + 3 * super_qkv  # q/k/v weights, full in_proj_bias
        total += cfg.cosformer_positions if kind == "cosformer" else 0
        total += q * e + e  # out_proj
        total += 2 * e + (e * f + f) + (f * e + e) + 2 * e  # two LayerNorms, fc1, fc2
    return total + 2 * e + e * cfg.num_classes + cfg.num_classes  # final norm + head


def extract_subnet(supernet: VisionSupernet, arch: Arch) -> VisionSupernet:
    """A stand-alone network of `arch` holding the supernet's shared weights (the leading slice of
    every tensor, the same slices the supernet reads when it runs `arch`)."""
    subnet = build_subnet(arch, supernet.cfg)
    shared = supernet.state_dict()
    subnet.load_state_dict({k: shared[k][tuple(slice(0, n) for n in v.shape)] for k, v in subnet.state_dict().items()})
    return subnet
