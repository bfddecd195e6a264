"""Object-guided localisation of the original test.py (EZ-VSL's OGL), reported there as "Obj" and "AV_Obj".

An ImageNet ResNet-18 (not the trained image encoder) gives an objectness map: the mean absolute value of its
last feature map over channels (test.py `NormReducer`), upsampled bilinearly (align_corners=True). The fused map
is normalize(alpha * normalize(av) + (1 - alpha) * normalize(obj)) with alpha = 0.4 (`--alpha`).
"""

from __future__ import annotations

import numpy as np
import torch

from fnac_avl.convert import load_image_weights
from fnac_avl.data import AudioVisualDataset
from fnac_avl.metrics import normalize_map, upsample_maps
from fnac_avl.resnet import ResNet18Trunk


def objectness_model(weights: str) -> ResNet18Trunk:
    trunk = ResNet18Trunk(3)
    load_image_weights(trunk, weights)
    return trunk.eval()


@torch.no_grad()
def objectness_maps(trunk: torch.nn.Module, dataset: AudioVisualDataset, batch_size: int = 32) -> np.ndarray:
    """(N, 224, 224) objectness maps of the test images."""
    trunk.eval()
    device = next(trunk.parameters()).device
    loader = torch.utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=False)
    maps = [upsample_maps(trunk(b["image"].to(device)).abs().mean(1), "bilinear").cpu().numpy() for b in loader]
    return np.concatenate(maps)


def fuse(av: np.ndarray, obj: np.ndarray, alpha: float = 0.4) -> np.ndarray:
    """Per image: normalize(alpha * normalize(av) + (1 - alpha) * normalize(obj)), (N, 224, 224)."""
    return np.stack([normalize_map(alpha * normalize_map(a) + (1 - alpha) * normalize_map(o))
                     for a, o in zip(av, obj, strict=True)])
