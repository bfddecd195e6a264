"""FNAC's audio-visual model: two ResNet-18 encoders, projections to a shared space, localisation maps.

    image (b, 3, H, W) -> ResNet-18 trunk -> (b, 512, H/32, W/32) -> dropout -> 1x1 conv -> L2 norm over channels
    log spectrogram (b, 1, F, T) -> ResNet-18 trunk (1 input channel) -> global max pool -> (b, 512)
        -> dropout -> linear -> L2 norm
    localisation map of clip i: <image feature at each position, audio embedding> / tau   (b, h, w)

The losses (contrastive + FNAC's false-negative suppression and true-negative enhancement) live in
`fnac_avl.losses`; this module only computes features, as the original `FNAC.forward` does before
`calculate_loss`.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from fnac_avl.config import FNACConfig, ModelConfig
from fnac_avl.resnet import ResNet18Trunk


class FNACModel(nn.Module):
    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.tau = cfg.tau
        self.image_encoder = ResNet18Trunk(3, cfg.image_widths)
        self.image_dropout = nn.Dropout(cfg.dropout_img)
        self.image_proj = nn.Conv2d(self.image_encoder.out_channels, cfg.embed_dim, kernel_size=1)
        self.audio_encoder = ResNet18Trunk(1, cfg.audio_widths)
        self.audio_dropout = nn.Dropout(cfg.dropout_aud)
        self.audio_proj = nn.Linear(self.audio_encoder.out_channels, cfg.embed_dim)
        # the original re-initialises everything except the (ImageNet-pretrained) image encoder
        for net in (self.audio_encoder, self.image_proj, self.audio_proj):
            for m in net.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                elif isinstance(m, nn.Linear):
                    nn.init.trunc_normal_(m.weight, mean=0.0, std=0.01)
                elif isinstance(m, nn.BatchNorm2d):
                    nn.init.normal_(m.weight, mean=1.0, std=0.02)
                    nn.init.zeros_(m.bias)

    def encode_image(self, image: torch.Tensor) -> torch.Tensor:
        x = self.image_encoder(image)  # b, 512, h, w
        x = self.image_proj(self.image_dropout(x))  # b, d, h, w
        return F.normalize(x, dim=1)

    def encode_audio(self, spec: torch.Tensor) -> torch.Tensor:
        x = self.audio_encoder(spec).amax(dim=(2, 3))  # b, 512 (the original's AdaptiveMaxPool2d(1))
        x = self.audio_proj(self.audio_dropout(x))  # b, d
        return F.normalize(x, dim=1)

    def forward(self, image: torch.Tensor, spec: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Normalised image feature maps (b, d, h, w) and audio embeddings (b, d)."""
        return self.encode_image(image), self.encode_audio(spec)

    def localization_map(self, img: torch.Tensor, aud: torch.Tensor) -> torch.Tensor:
        """Each clip's own audio-visual similarity map, (b, h, w): the diagonal of the original's Slogits."""
        return torch.einsum("bchw,bc->bhw", img, aud) / self.tau

    @torch.no_grad()
    def heatmaps(self, image: torch.Tensor, spec: torch.Tensor) -> torch.Tensor:
        return self.localization_map(*self(image, spec))


def build_model(cfg: FNACConfig) -> FNACModel:
    """The experiment's architecture with fresh weights (ImageNet weights: fnac_avl.convert.load_image_weights)."""
    return FNACModel(cfg.model)
