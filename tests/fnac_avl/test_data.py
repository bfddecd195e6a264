"""The readers on a generated dataset in the official layouts, and clear errors on malformed files."""

from __future__ import annotations

import json

import pytest
import torch

from fnac_avl import data
from fnac_avl.synthetic import generate


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("fnac") / "gen", num_train=6, num_test=3, size=64)


def test_train_reader(root):
    clips = data.train_clips(root / "train", ".jpg", root / "metadata/flickr_smoke.txt")
    assert len(clips) == 5  # the subset list leaves one clip out
    assert len(data.train_clips(root / "train", ".jpg")) == 6
    ds = data.AudioVisualDataset(clips, train=True, image_size=64)
    item = ds[0]
    assert item["image"].shape == (3, 64, 64)
    assert item["spec"].shape == (1, 257, 49)  # 3 s at 4 kHz
    assert "gt_map" not in item


def test_test_readers_agree(root):
    meta = root / "metadata"
    flickr = data.test_clips("flickr", root / "flickr_test", meta / "flickr_test.csv", root / "flickr_test_anno")
    vggss = data.test_clips("vggss", root / "vggss_test", meta / "vggss_test.csv", meta / "vggss.json")
    assert len(flickr) == len(vggss) == 3
    for f, v in zip(flickr, vggss, strict=True):
        assert len(f.boxes) == 2 and f.boxes[0] == f.boxes[1]  # two annotators
        assert all(abs(a - b) <= 1 for a, b in zip(f.boxes[0], v.boxes[0], strict=True))
    fd = data.AudioVisualDataset(flickr, train=False, image_size=64, box_format="flickr")
    vd = data.AudioVisualDataset(vggss, train=False, image_size=64, box_format="vggss")
    assert fd[0]["gt_map"].shape == (224, 224)
    # two identical annotator boxes: the consensus map equals the single-box union map (up to rounding)
    assert (fd[0]["gt_map"] != vd[0]["gt_map"]).float().mean() < 0.03


def test_flickr_xml_scaling(tmp_path):
    xml = tmp_path / "a.xml"
    xml.write_text("<annotation><bbs><bbox><i>0</i><x>256</x><y>128</y><x2>100</x2><y2>7</y2></bbox></bbs>"
                   "</annotation>")
    assert data.read_flickr_boxes(xml) == [[224, 112, 87, 6]]  # int(224 * v / 256)


def test_malformed_files(tmp_path, root):
    bad_xml = tmp_path / "b.xml"
    bad_xml.write_text("<annotation><bbs><bbox><i>0</i><x>1</x></bbox></bbs></annotation>")
    with pytest.raises(ValueError, match="b.xml.*expected 4"):
        data.read_flickr_boxes(bad_xml)
    bad_json = tmp_path / "v.json"
    bad_json.write_text(json.dumps([{"file": "x", "bbox": [[0.1, 0.2]]}]))
    with pytest.raises(ValueError, match="v.json.*'bbox'"):
        data.load_vggss_boxes(bad_json)
    bad_json.write_text(json.dumps([{"class": "x"}]))
    with pytest.raises(ValueError, match="lacks field 'file'"):
        data.load_vggss_boxes(bad_json)
    with pytest.raises(FileNotFoundError, match="frames"):
        data.train_clips(tmp_path, ".jpg")
    with pytest.raises(ValueError, match="no clip"):
        data.train_clips(root / "train", ".png")
    empty_anno = tmp_path / "anno"
    empty_anno.mkdir()
    with pytest.raises(KeyError, match="no boxes"):
        data.test_clips("flickr", root / "flickr_test", root / "metadata/flickr_test.csv", empty_anno)


def test_spec_augment_masks_like_the_original():
    torch.manual_seed(0)
    spec = torch.ones(1, 257, 49)
    out = data.SpecAugment(10)(spec.clone())
    masked_rows = (out[0] == 0).all(dim=1).nonzero().flatten()
    # the frequency mask starts within range(T=49), as the original draws it from the time length
    assert masked_rows.numel() == 0 or masked_rows.min() < 49
