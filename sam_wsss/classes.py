"""Class vocabularies of PASCAL VOC 2012 and MS-COCO 2014, and the VOC label-map palette.

A vocabulary maps prompt phrases to label indices (0 is background). PASCAL VOC adds the original code's
extra prompt words (`EXTRA_PROMPTS_VOC`): a detected "saddle" or "plate" paints its parent class.
"""

from __future__ import annotations

from dataclasses import dataclass, field

VOC_CLASSES = (
    "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow", "diningtable", "dog",
    "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train", "tvmonitor",
)

# prompt words added after a present class, each painting that class (process_pascal.py, `class_tree`)
EXTRA_PROMPTS_VOC = {
    "horse": ("halter", "saddle"),
    "diningtable": ("bowl", "plate", "food", "fruit", "glass", "dishes"),
    "tvmonitor": ("tv", "monitor"),
}

COCO_CLASSES = (
    "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat", "traffic light",
    "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog", "horse", "sheep", "cow",
    "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella", "handbag", "tie", "suitcase", "frisbee",
    "skis", "snowboard", "sports ball", "kite", "baseball bat", "baseball glove", "skateboard", "surfboard",
    "tennis racket", "bottle", "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple",
    "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "couch",
    "potted plant", "bed", "dining table", "toilet", "tv", "laptop", "mouse", "remote", "keyboard", "cell phone",
    "microwave", "oven", "toaster", "sink", "refrigerator", "book", "clock", "vase", "scissors", "teddy bear",
    "hair drier", "toothbrush",
)

# COCO category ids (instances_*.json) in the order of COCO_CLASSES: label index = position + 1
COCO_CATEGORY_IDS = (
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 27, 28, 31, 32, 33, 34,
    35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63,
    64, 65, 67, 70, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 84, 85, 86, 87, 88, 89, 90,
)

IGNORE_INDEX = 255


def voc_palette(num_colors: int = 256) -> list[int]:
    """The PASCAL VOC colour map (VOCdevkit `VOClabelcolormap`): bits of the index spread over R, G, B."""
    palette = []
    for index in range(num_colors):
        r = g = b = 0
        c = index
        for shift in range(7, -1, -1):
            r |= (c & 1) << shift
            g |= ((c >> 1) & 1) << shift
            b |= ((c >> 2) & 1) << shift
            c >>= 3
        palette += [r, g, b]
    return palette


@dataclass(frozen=True)
class Vocabulary:
    """Class names (label i+1 = names[i]) and the prompt words that stand for each class."""

    name: str
    names: tuple[str, ...]
    extra_prompts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    separator: str = "."  # how prompt words are joined into one caption

    @property
    def num_classes(self) -> int:
        """Including background."""
        return len(self.names) + 1

    def phrase_to_label(self) -> dict[str, int]:
        table = {name: i + 1 for i, name in enumerate(self.names)}
        for parent, words in self.extra_prompts.items():
            for word in words:
                table[word] = table[parent]
        return table

    def prompt_words(self, labels: list[int]) -> list[str]:
        """Prompt words for the present classes (1-based labels), in class order, each followed by its extras."""
        words = []
        for label in sorted(set(labels)):
            if not 1 <= label <= len(self.names):
                raise ValueError(f"{self.name}: class label {label} outside 1..{len(self.names)}")
            name = self.names[label - 1]
            words.append(name)
            words.extend(self.extra_prompts.get(name, ()))
        return words

    def caption(self, labels: list[int]) -> str:
        return self.separator.join(self.prompt_words(labels))


# PASCAL joins words with "." and COCO with " . ", as process_pascal.py / process_coco.py do
VOC = Vocabulary("voc", VOC_CLASSES, EXTRA_PROMPTS_VOC, ".")
VOC_NO_EXTRAS = Vocabulary("voc_no_extras", VOC_CLASSES, {}, ".")
COCO = Vocabulary("coco", COCO_CLASSES, {}, " . ")
VOCABULARIES = {v.name: v for v in (VOC, VOC_NO_EXTRAS, COCO)}


def vocabulary(name: str) -> Vocabulary:
    if name not in VOCABULARIES:
        raise ValueError(f"vocabulary {name!r} unknown; expected one of {sorted(VOCABULARIES)}")
    return VOCABULARIES[name]
