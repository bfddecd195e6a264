"""Boxes -> masks with SAM, one mask per box (`multimask_output=False`), as the original code prompts it."""

from __future__ import annotations

import numpy as np
import torch
from segment_anything import SamPredictor
from segment_anything.modeling import Sam


class SamBoxSegmenter:
    def __init__(self, sam: Sam, device: str | torch.device = "cpu") -> None:
        self.predictor = SamPredictor(sam.to(device).eval())
        self.device = torch.device(device)

    @torch.no_grad()
    def __call__(self, image: np.ndarray, boxes: torch.Tensor) -> np.ndarray:
        """image: (h, w, 3) uint8 RGB; boxes: (n, 4) pixel (x0, y0, x1, y1) -> (n, h, w) bool."""
        height, width = image.shape[:2]
        if len(boxes) == 0:
            # the original catches SAM's error on zero boxes and writes an all-background map
            return np.zeros((0, height, width), dtype=bool)
        self.predictor.set_image(image)
        boxes = self.predictor.transform.apply_boxes_torch(boxes.float(), (height, width)).to(self.device)
        masks, _, _ = self.predictor.predict_torch(point_coords=None, point_labels=None, boxes=boxes,
                                                   multimask_output=False)  # n, 1, h, w
        return masks[:, 0].cpu().numpy()
