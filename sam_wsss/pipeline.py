"""One image -> one pseudo label map: box prompts -> SAM masks -> merged label map."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from sam_wsss.label_map import merge_masks
from sam_wsss.prompts import BoxPrompts, PromptSource
from sam_wsss.segmenter import SamBoxSegmenter


@dataclass
class PseudoLabel:
    label_map: np.ndarray  # h, w uint8
    prompts: BoxPrompts


class PseudoLabeler:
    def __init__(self, prompts: PromptSource, segmenter: SamBoxSegmenter, amp: bool = False,
                 device_type: str = "cpu") -> None:
        """amp: run both models under bfloat16 autocast (faster on GPUs; the paper's runs are fp32)."""
        self.prompts = prompts
        self.segmenter = segmenter
        self.amp = amp
        self.device_type = device_type

    def __call__(self, image_id: str, image: np.ndarray, class_labels: list[int]) -> PseudoLabel:
        """image: (h, w, 3) uint8 RGB; class_labels: the image-level labels (1-based)."""
        height, width = image.shape[:2]
        with torch.autocast(self.device_type, dtype=torch.bfloat16, enabled=self.amp):
            prompts = self.prompts(image_id, image, class_labels)
            masks = self.segmenter(image, prompts.boxes)  # n, h, w
        return PseudoLabel(merge_masks(masks, prompts.labels, height, width), prompts)
