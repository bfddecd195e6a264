"""The original's training augmentations and LR policy against its own outputs (golden/augment.json)."""

import json
import random
from pathlib import Path

import numpy as np
import pytest
import torch

from video_linear.augment import multi_scale_box, multi_scale_crop, random_erasing
from video_linear.schedule import slowfast_multiplier

GOLDEN = json.loads((Path(__file__).parent / "golden" / "augment.json").read_text())


def test_multi_scale_crop_boxes_match_original():
    for case in GOLDEN["crop_boxes"]:
        random.seed(case["seed"])
        assert list(multi_scale_box(case["width"], case["height"], 224)) == case["box"], case


def test_multi_scale_crop_pixels_match_original():
    case = GOLDEN["resize"]
    frames = torch.from_numpy(np.random.RandomState(case["input_seed"]).randint(0, 256, size=case["shape"]).astype(np.uint8))
    random.seed(case["seed"])
    out = multi_scale_crop(frames, case["size"])
    assert out.dtype == torch.uint8
    assert torch.equal(out, torch.tensor(case["output"], dtype=torch.uint8))


def test_random_erasing_boxes_match_original():
    erased_any = False
    for case in GOLDEN["erasing"]:
        random.seed(case["seed"])
        clip = random_erasing(torch.ones(3, 4, case["height"], case["width"]), 0.5)
        zero = clip == 0
        if case["box"] is None:
            assert not zero.any(), case
            continue
        erased_any = True
        top, left, h, w = case["box"]
        expected = torch.zeros_like(zero)
        expected[..., top:top + h, left:left + w] = True
        assert torch.equal(zero, expected), case  # the same box in every channel and frame
    assert erased_any


@pytest.mark.parametrize("name", ["k400", "ssv2"])
def test_lr_policy_matches_original(name):
    """Warm-up from WARMUP_START_LR to the cosine's value at epoch 5, cosine over all epochs."""
    case = GOLDEN["lr"][name]
    epoch_steps = 1000
    total = case["MAX_EPOCH"] * epoch_steps
    for epoch, lr in zip(case["epochs"], case["lr"], strict=True):
        step = round(epoch * epoch_steps)
        ours = case["BASE_LR"] * slowfast_multiplier(step, total, 5 * epoch_steps,
                                                     case["WARMUP_START_LR"] / case["BASE_LR"])
        assert ours == pytest.approx(lr, rel=1e-9), epoch
