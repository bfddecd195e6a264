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
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from nas_efficient.arch import Arch, SearchSpace
from nas_efficient.super_modules import SuperLayerNorm, SuperLinear, SuperPatchEmbed, SuperSelfAttention


@dataclass
class SupernetConfig:
    image_size: int = 224  # CIFAR-10 images resized to 224, as the original's classification task
    patch_size: int = 16
    in_chans: int = 3
    num_classes: int = 10
    head_dim: int = 64  # `change_qkv`: q/k/v width = heads x 64
    causal_cosformer: bool = True  # the original builds the image model's cosFormer with causal=True
    dropout: float = 0.0
    activation_dropout: float = 0.1  # fairseq's --relu-dropout
    attention_dropout: float = 0.0
    drop_path: float = 0.1


def drop_path(x: torch.Tensor, p: float, training: bool) -> torch.Tensor:
    """Stochastic depth: drop the whole residual branch per sample."""
    if p == 0.0 or not training:
        return x
    keep = torch.empty((x.shape[0],) + (1,) * (x.ndim - 1), dtype=x.dtype, device=x.device).bernoulli_(1 - p)
    return x * keep / (1 - p)


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
        self.fc1 = SuperLinear(embed_dim, ffn_dim)
        self.fc2 = SuperLinear(ffn_dim, embed_dim)
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
        self.head = SuperLinear(self.embed_dim, cfg.num_classes)

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


def count_parameters(model: VisionSupernet, arch: Arch) -> int:
    """Parameters a sub-network uses (the slices it reads), as HAT's `calc_sampled_param_num`."""
    cfg, e = model.cfg, arch.embed_dim
    total = e * model.patch_embed.proj.weight[0].numel() + e  # patch conv
    total += e + e * (model.patch_embed.num_patches + 1)  # cls token + position embeddings
    for i in range(arch.num_layers):
        q = arch.heads[i] * cfg.head_dim
        f = arch.ffn_dims[i]
        total += 3 * q * e + 3 * q + q * e + e  # attention in/out projections
        total += e * f + f + f * e + e + 4 * e  # FFN + two LayerNorms
    total += 2 * e + e * cfg.num_classes + cfg.num_classes  # final norm + head
    return total


def extract_subnet(supernet: VisionSupernet, arch: Arch) -> VisionSupernet:
    """A stand-alone network of `arch` holding the supernet's shared weights (the leading slice of
    every tensor, the same slices the supernet reads when it runs `arch`)."""
    subnet = build_subnet(arch, supernet.cfg)
    shared = supernet.state_dict()
    subnet.load_state_dict({k: shared[k][tuple(slice(0, n) for n in v.shape)] for k, v in subnet.state_dict().items()})
    return subnet
