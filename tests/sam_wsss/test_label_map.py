import json
import os

import numpy as np
import pytest
from PIL import Image

from sam_wsss.classes import COCO, VOC, voc_palette
from sam_wsss.label_map import merge_masks, overlay, read_label_png, save_label_png

from .conftest import GOLDEN

SMALL = json.load(open(os.path.join(GOLDEN, "small.json")))
ARRAYS = np.load(os.path.join(GOLDEN, "small.npz"))


def test_merge_rule_matches_the_original_save_mask_data():
    masks, expected = ARRAYS["merge_masks"], ARRAYS["merge_expected"]
    table = VOC.phrase_to_label()
    labels = [table.get(p) for p in SMALL["merge"]["phrases"]]
    assert labels == [8, 13, None, 12]  # "saddle" paints horse; "cat. dog" names no class
    ours = merge_masks(masks, labels, *expected.shape)
    np.testing.assert_array_equal(ours, expected)


def test_later_masks_overwrite_earlier_ones():
    a = np.zeros((2, 4, 4), bool)
    a[0, :3] = True
    a[1, 2:] = True
    out = merge_masks(a, [5, 9], 4, 4)
    assert (out[:2] == 5).all() and (out[2:] == 9).all()


def test_png_is_a_voc_palette_index_image(tmp_path):
    label_map = np.arange(22, dtype=np.uint8).reshape(2, 11)
    label_map[0, 0] = 255
    save_label_png(label_map, tmp_path / "x.png")
    with Image.open(tmp_path / "x.png") as image:
        assert image.mode == "P"
        palette = image.getpalette()
    original = SMALL["merge"]["palette_first_21"]  # the palette list of process_pascal.py (28 colours)
    assert len(original) >= 63 and palette[: len(original)] == original
    assert palette[255 * 3: 256 * 3] == [224, 224, 192]  # VOC's colour of the ignore index
    np.testing.assert_array_equal(read_label_png(tmp_path / "x.png"), label_map)
    assert not list(tmp_path.glob("*.tmp"))


def test_reader_accepts_grayscale_and_rejects_rgb(tmp_path):
    Image.fromarray(np.full((3, 3), 7, np.uint8), mode="L").save(tmp_path / "l.png")
    assert (read_label_png(tmp_path / "l.png") == 7).all()
    Image.fromarray(np.zeros((3, 3, 3), np.uint8)).save(tmp_path / "rgb.png")
    with pytest.raises(ValueError, match="rgb.png.*mode 'RGB'"):
        read_label_png(tmp_path / "rgb.png")
    with pytest.raises(FileNotFoundError, match="nope.png"):
        read_label_png(tmp_path / "nope.png")


def test_overlay_leaves_background_pixels_alone():
    image = np.full((2, 2, 3), 100, np.uint8)
    label_map = np.array([[0, 15], [0, 0]], np.uint8)
    out = overlay(image, label_map)
    assert (out[0, 0] == 100).all() and not (out[0, 1] == 100).all()
    assert voc_palette()[15 * 3: 15 * 3 + 3] == [192, 128, 128]


def test_captions_follow_the_original_scripts():
    assert VOC.caption([13, 8]) == "cat.horse.halter.saddle"
    assert COCO.caption([59, 1]) == "person . potted plant"  # class order (the original's set() order varies)
    with pytest.raises(ValueError, match="outside 1..20"):
        VOC.caption([21])
