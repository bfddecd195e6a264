import json
import os

import numpy as np
import pytest
import torch
from PIL import Image

from sam_wsss.classes import VOC
from sam_wsss.detector import (
    GroundingDinoDetector,
    cxcywh_to_xyxy_pixels,
    phrase_above_threshold,
    phrase_of_query,
    phrase_stop_ids,
    preprocess_image,
    resized_size,
)
from sam_wsss.model import build_grounding_dino, tiny_tokenizer
from sam_wsss.prompts import FileBoxPrompts, TextBoxPrompts

from .conftest import GOLDEN

SMALL = json.load(open(os.path.join(GOLDEN, "small.json")))
ARRAYS = np.load(os.path.join(GOLDEN, "small.npz"))


def test_resize_rule_matches_the_original_transform():
    for w, h, out_h, out_w in SMALL["resize"]:
        assert resized_size(w, h) == (out_h, out_w)


def test_preprocessing_matches_the_original_transform():
    ours = preprocess_image(Image.fromarray(ARRAYS["preprocess_photo"]), size=48, max_size=100)[0]
    np.testing.assert_allclose(ours.numpy(), ARRAYS["preprocess_expected"], atol=1e-6)


@pytest.mark.parametrize("key", ["voc", "coco"])
def test_phrase_rule_matches_the_original(key):
    case = SMALL["phrase"][key]
    tokenizer = tiny_tokenizer()
    assert tokenizer(case["caption"])["input_ids"] == case["input_ids"]
    stops = phrase_stop_ids(tokenizer)
    logits = torch.from_numpy(ARRAYS[f"phrase_{key}_logits"])
    checked = 0
    for row, expected in zip(logits, case["expected"], strict=True):
        if expected is None:  # the original raises IndexError on these rows
            continue
        assert phrase_of_query(row, case["input_ids"], tokenizer, stops) == expected
        checked += 1
    assert checked >= 30
    for row, expected in zip(logits, case["expected_above_0.25"], strict=True):  # the alternative rule
        assert phrase_above_threshold(row, case["input_ids"], tokenizer, 0.25) == expected


def test_boxes_become_pixel_corners():
    boxes = cxcywh_to_xyxy_pixels(torch.tensor([[0.5, 0.5, 0.2, 0.4]]), width=100, height=50)
    torch.testing.assert_close(boxes, torch.tensor([[40.0, 15.0, 60.0, 35.0]]))


def test_detector_keeps_queries_above_the_box_threshold_and_names_their_classes():
    model, tokenizer = build_grounding_dino("tiny", seed=0)
    image = (np.random.default_rng(0).random((40, 60, 3)) * 255).astype(np.uint8)
    low = GroundingDinoDetector(model, tokenizer, box_threshold=0.0, size=96, max_size=150)(image, "cat.dog")
    assert len(low.phrases) == model.config.num_queries  # every query scores above 0
    assert low.boxes.shape == (model.config.num_queries, 4)
    high = GroundingDinoDetector(model, tokenizer, box_threshold=0.6, size=96, max_size=150)(image, "cat.dog")
    assert (high.scores > 0.6).all() and len(high.phrases) < len(low.phrases)
    prompts = TextBoxPrompts(GroundingDinoDetector(model, tokenizer, 0.0, size=96, max_size=150), VOC)
    out = prompts("x", image, [8, 12])
    assert out.caption == "cat.dog"
    table = {"cat": 8, "dog": 12}
    assert out.labels == [table.get(p) for p in out.phrases]
    with pytest.raises(ValueError, match="phrase_rule 'x'"):
        GroundingDinoDetector(model, tokenizer, phrase_rule="x")


def test_file_prompts_read_boxes_and_reject_bad_entries(tmp_path):
    path = tmp_path / "boxes.json"
    path.write_text(json.dumps({"a": [{"box": [1, 2, 10, 20], "label": 3}]}))
    prompts = FileBoxPrompts(path, 21)
    out = prompts("a", np.zeros((30, 30, 3), np.uint8), [3])
    assert out.labels == [3] and out.boxes.tolist() == [[1.0, 2.0, 10.0, 20.0]]
    assert len(prompts("missing", np.zeros((3, 3, 3), np.uint8), []).labels) == 0
    path.write_text(json.dumps({"a": [{"box": [1, 2], "label": 3}]}))
    with pytest.raises(ValueError, match=r"boxes.json: a\[0\]"):
        FileBoxPrompts(path, 21)("a", np.zeros((3, 3, 3), np.uint8), [])
