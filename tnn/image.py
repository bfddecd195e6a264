"""The image classifier (DeiT-style, OpenNLPLab/im classification/models/tnn_1d): patches -> TNN blocks
with 2D token mixing (T_h v + T_w v) -> mean over patches -> SimpleRMSNorm -> linear.

No positional embedding (`use_pos=False`), no class token. `tnn_vit_e3g1_tiny_rpe_l1_90_prenorm`
(OpenNLPLab/Tnn script_im.sh): DeiT-tiny widths (192 x 12), GTU x3, GLU x1, RPE 1 x 48, decay 0.9, pre-norm.
"""

from __future__ import annotations

import torch
from torch import nn

from shared.norms import SimpleRMSNorm
from tnn.config import TnnVitConfig
from tnn.layers import TnnLayer


class TnnVit(nn.Module):
    def __init__(self, cfg: TnnVitConfig) -> None:
        super().__init__()
        self.cfg = cfg
        p = cfg.patch_size
        self.patch_embed = nn.Linear(p * p * cfg.in_chans, cfg.embed_dim)
        self.dropout = nn.Dropout(cfg.dropout)
        self.layers = nn.ModuleList(
            TnnLayer(cfg.embed_dim, cfg.glu_dim, prenorm=cfg.prenorm, norm="simplermsnorm", dropout=0.0, two_d="sum",
                     heads=1, expand_ratio=cfg.expand_ratio, use_decay=True, gamma=cfg.gamma, rpe_dim=cfg.rpe_dim,
                     rpe_layers=cfg.rpe_layers)
            for _ in range(cfg.num_layers)
        )
        self.head_norm = SimpleRMSNorm(cfg.embed_dim)
        self.head = nn.Linear(cfg.embed_dim, cfg.num_classes)

    def patches(self, images: torch.Tensor) -> torch.Tensor:
        # b, c, H*p, W*p -> b, H*W, p*p*c in the original's (p1 p2 c) order
        b, c, hp, wp = images.shape
        p = self.cfg.patch_size
        if hp % p or wp % p or hp != wp:
            raise ValueError(f"TnnVit: images must be square with sides divisible by {p}, got {hp}x{wp}")
        x = images.reshape(b, c, hp // p, p, wp // p, p).permute(0, 2, 4, 3, 5, 1)  # b, H, W, p1, p2, c
        return x.reshape(b, (hp // p) * (wp // p), p * p * c)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        x = self.dropout(self.patch_embed(self.patches(images)))  # b, n, d
        for layer in self.layers:
            x = layer(x)
        return self.head(self.head_norm(x.mean(dim=1)))  # b, classes
