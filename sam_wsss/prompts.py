"""Where the box prompts for SAM come from: a pluggable step.

- `TextBoxPrompts` (the paper): the image's class names as one caption -> Grounding DINO boxes, each labelled by
  the class its phrase names (None when the phrase names no class; such boxes are segmented, then skipped).
- `FileBoxPrompts`: boxes given per image in a JSON file (e.g. boxes drawn around CAM peaks, or annotated boxes):
  {"<image id>": [{"box": [x0, y0, x1, y1], "label": <class index>}, ...]}.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import torch

from sam_wsss.classes import Vocabulary
from sam_wsss.detector import GroundingDinoDetector


@dataclass
class BoxPrompts:
    boxes: torch.Tensor  # n, 4 pixel (x0, y0, x1, y1)
    labels: list[int | None]  # class per box (None: the phrase names no class)
    phrases: list[str]
    scores: torch.Tensor  # n
    caption: str = ""


class PromptSource(Protocol):
    def __call__(self, image_id: str, image: np.ndarray, class_labels: list[int]) -> BoxPrompts: ...


class TextBoxPrompts:
    def __init__(self, detector: GroundingDinoDetector, vocabulary: Vocabulary) -> None:
        self.detector = detector
        self.vocabulary = vocabulary
        self.phrase_to_label = vocabulary.phrase_to_label()

    def __call__(self, image_id: str, image: np.ndarray, class_labels: list[int]) -> BoxPrompts:
        caption = self.vocabulary.caption(class_labels)
        found = self.detector(image, caption)
        labels = [self.phrase_to_label.get(phrase) for phrase in found.phrases]
        return BoxPrompts(found.boxes, labels, found.phrases, found.scores, caption)


class FileBoxPrompts:
    def __init__(self, path: str | Path, num_classes: int) -> None:
        self.path = Path(path)
        try:
            self.table = json.loads(self.path.read_text())
        except (OSError, json.JSONDecodeError) as err:
            raise ValueError(f"{self.path}: cannot read box prompts ({err}); expected a JSON object") from err
        self.num_classes = num_classes

    def __call__(self, image_id: str, image: np.ndarray, class_labels: list[int]) -> BoxPrompts:
        entries = self.table.get(image_id, [])
        boxes, labels = [], []
        for i, entry in enumerate(entries):
            box, label = entry.get("box"), entry.get("label")
            if not (isinstance(box, list) and len(box) == 4 and isinstance(label, int)
                    and 0 < label < self.num_classes):
                raise ValueError(f"{self.path}: {image_id}[{i}] must be {{'box': [x0, y0, x1, y1], 'label': "
                                 f"1..{self.num_classes - 1}}}, got {entry!r}")
            boxes.append(box)
            labels.append(label)
        tensor = torch.tensor(boxes, dtype=torch.float32).reshape(-1, 4)
        return BoxPrompts(tensor, labels, [str(label) for label in labels], torch.ones(len(labels)))
