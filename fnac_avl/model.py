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

from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from fnac_avl.resnet import RESNET18_WIDTHS, ResNet18Trunk


@dataclass
class ModelConfig:
    dim: int = 512  # --out_dim
    tau: float = 0.03  # --tau: temperature of every similarity
    dropout_img: float = 0.9  # --dropout_img, on the image feature map before the projection
    dropout_aud: float = 0.0  # --dropout_aud
    image_widths: tuple[int, ...] = RESNET18_WIDTHS  # (64, 128, 256, 512): ResNet-18; smaller for smoke runs
    audio_widths: tuple[int, ...] = RESNET18_WIDTHS
    # torchvision ResNet-18 ImageNet weights (resnet18-f37072fd.pth) for the image encoder, as the paper
    # initialises it; "" trains the image encoder from scratch (smoke runs, tests)
    image_weights: str = ""


class FNACModel(nn.Module):
    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.tau = cfg.tau
        self.image_encoder = ResNet18Trunk(3, cfg.image_widths)
        self.image_dropout = nn.Dropout(cfg.dropout_img)
        self.image_proj = nn.Conv2d(self.image_encoder.out_channels, cfg.dim, kernel_size=1)
        self.audio_encoder = ResNet18Trunk(1, cfg.audio_widths)
        self.audio_dropout = nn.Dropout(cfg.dropout_aud)
        self.audio_proj = nn.Linear(self.audio_encoder.out_channels, cfg.dim)
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
        if cfg.image_weights:
            load_image_weights(self.image_encoder, cfg.image_weights)

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


def load_image_weights(trunk: ResNet18Trunk, path: str | Path) -> None:
    """Load torchvision ResNet-18 weights (its `fc.*` classifier is dropped) into the image trunk."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"model.image_weights: {path} does not exist; expected torchvision's resnet18 "
                                "ImageNet checkpoint (resnet18-f37072fd.pth), see fnac_avl/prepare.py")
    state = torch.load(path, map_location="cpu", weights_only=True)
    state = {k: v for k, v in state.items() if not k.startswith("fc.")}
    trunk.load_state_dict(state, strict=True)


def build_model(cfg: ModelConfig) -> FNACModel:
    return FNACModel(cfg)
