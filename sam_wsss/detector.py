"""Text prompt -> boxes with Grounding DINO, as process_pascal.py's `get_grounding_output` does.

Steps: caption lower-cased, stripped, "." appended; image resized so its short side is 800 (long side at most
1333, bilinear) and ImageNet-normalised; a query is kept when its best token score (sigmoid) exceeds
`box_threshold`; its phrase is the whole prompt word around its best-scoring token (`phrase_of_query`).
Boxes come back in pixels of the input image, (x0, y0, x1, y1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torchvision.transforms.functional as TF
from PIL import Image

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


@dataclass
class Detections:
    boxes: torch.Tensor  # n, 4 (x0, y0, x1, y1) in input pixels
    scores: torch.Tensor  # n: best token score per box
    phrases: list[str]


def caption_text(caption: str) -> str:
    caption = caption.lower().strip()
    return caption if caption.endswith(".") else caption + "."


def resized_size(width: int, height: int, size: int = 800, max_size: int = 1333) -> tuple[int, int]:
    """(h, w) after resizing the short side to `size`, capped so the long side stays <= `max_size`
    (GroundingDINO datasets/transforms.py `get_size_with_aspect_ratio`, integer rounding kept)."""
    short, long = float(min(width, height)), float(max(width, height))
    if long / short * size > max_size:
        size = int(round(max_size * short / long))
    if (width <= height and width == size) or (height <= width and height == size):
        return height, width
    if width < height:
        return int(size * height / width), size
    return size, int(size * width / height)


def preprocess_image(image: Image.Image, size: int = 800, max_size: int = 1333) -> torch.Tensor:
    """PIL RGB -> (1, 3, h', w') normalised tensor."""
    h, w = resized_size(image.width, image.height, size, max_size)
    tensor = TF.to_tensor(TF.resize(image, [h, w]))
    return TF.normalize(tensor, IMAGENET_MEAN, IMAGENET_STD)[None]


def phrase_stop_ids(tokenizer) -> set[int]:
    """Tokens that end a prompt word: [PAD], [UNK], [CLS], [SEP], [MASK] and "." (ids 0, 100-103, 1012 in BERT)."""
    names = [tokenizer.pad_token, tokenizer.unk_token, tokenizer.cls_token, tokenizer.sep_token, tokenizer.mask_token]
    return set(tokenizer.convert_tokens_to_ids(names + ["."]))


def phrase_of_query(scores: torch.Tensor, input_ids: list[int], tokenizer, stop_ids: set[int]) -> str:
    """The tokens around the best-scoring one, grown left and right until a stop token, decoded
    (utils.py `get_phrases_from_posmap_2`; the `text_threshold` posmap it is given goes unused, here too).

    On a word token this is the whole prompt word ("potted plant"), which names a class; on a stop token it
    is a span such as "cat. dog", which names none. Where the original indexes past the end (best token
    [SEP] or padding) and crashes, the span ends at the last token.
    """
    best = int(scores.argmax())
    if best >= len(input_ids):
        return ""
    left, right = best, best
    while right + 1 < len(input_ids) and input_ids[right + 1] not in stop_ids:
        right += 1
    # the original walks left with Python indices, so from position 0 it reads [SEP] at -1 and stops
    while left - 1 >= 0 and input_ids[left - 1] not in stop_ids:
        left -= 1
    return tokenizer.decode(input_ids[left:right + 1])


def phrase_above_threshold(scores: torch.Tensor, input_ids: list[int], tokenizer, text_threshold: float) -> str:
    """Grounding DINO's own rule (utils.py `get_phrases_from_posmap`, used by Grounded-SAM's demos): the tokens
    scoring above `text_threshold`, decoded together. Not the paper's rule; a config option."""
    keep = (scores[: len(input_ids)] > text_threshold).nonzero()[:, 0].tolist()
    return tokenizer.decode([input_ids[i] for i in keep])


def cxcywh_to_xyxy_pixels(boxes: torch.Tensor, width: int, height: int) -> torch.Tensor:
    """Normalised (cx, cy, w, h) -> pixel (x0, y0, x1, y1)."""
    boxes = boxes * torch.tensor([width, height, width, height], dtype=boxes.dtype)
    return torch.cat([boxes[:, :2] - boxes[:, 2:] / 2, boxes[:, :2] + boxes[:, 2:] / 2], dim=1)


class GroundingDinoDetector:
    def __init__(self, model, tokenizer, box_threshold: float = 0.3, text_threshold: float = 0.25,
                 size: int = 800, max_size: int = 1333, device: str | torch.device = "cpu",
                 phrase_rule: str = "best_word") -> None:
        """phrase_rule: "best_word" (the paper's, `phrase_of_query`; text_threshold unused) or
        "above_text_threshold" (`phrase_above_threshold`)."""
        if phrase_rule not in ("best_word", "above_text_threshold"):
            raise ValueError(f"phrase_rule {phrase_rule!r}: expected 'best_word' or 'above_text_threshold'")
        self.model = model.to(device).eval()
        self.tokenizer = tokenizer
        self.box_threshold = box_threshold
        self.text_threshold = text_threshold
        self.phrase_rule = phrase_rule
        self.size, self.max_size = size, max_size
        self.device = torch.device(device)
        self.stop_ids = phrase_stop_ids(tokenizer)

    @torch.no_grad()
    def __call__(self, image: np.ndarray, caption: str) -> Detections:
        """image: (h, w, 3) uint8 RGB."""
        height, width = image.shape[:2]
        caption = caption_text(caption)
        pixels = preprocess_image(Image.fromarray(image), self.size, self.max_size).to(self.device)
        text = self.tokenizer([caption], return_tensors="pt")
        out = self.model(pixel_values=pixels, pixel_mask=torch.ones_like(pixels[:, 0], dtype=torch.long),
                         input_ids=text.input_ids.to(self.device), attention_mask=text.attention_mask.to(self.device),
                         token_type_ids=text.token_type_ids.to(self.device))
        scores = out.logits[0].float().sigmoid().cpu()  # queries, max_text_len
        keep = scores.max(dim=1).values > self.box_threshold
        scores, boxes = scores[keep], out.pred_boxes[0].float().cpu()[keep]
        ids = text.input_ids[0].tolist()
        if self.phrase_rule == "best_word":
            phrases = [phrase_of_query(row, ids, self.tokenizer, self.stop_ids) for row in scores]
        else:
            phrases = [phrase_above_threshold(row, ids, self.tokenizer, self.text_threshold) for row in scores]
        return Detections(cxcywh_to_xyxy_pixels(boxes, width, height), scores.max(dim=1).values, phrases)
