"""metrics.py against the original utils.Evaluator / datasets.bbox2gtmap outputs (golden/metrics.json)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from fnac_avl.metrics import boxes_to_gt_map, localization_scores, per_image_ciou, upsample_maps

GOLDEN = Path(__file__).parent / "golden"


def golden_inputs():
    g = json.loads((GOLDEN / "metrics.json").read_text())
    rng = np.random.default_rng(g["heat_seed"])
    heat = rng.random((7, 224, 224)).astype(np.float32)
    heat[3] = 0.5
    heat[2] = 0.0
    heat[2, 0:112, :] = 1.0
    heat[4] = 0.0
    heat[4, 0:112, :] = 1.0
    heat[5] = np.linspace(0, 1, 224)[None, :].repeat(224, 0)
    gts = np.stack([boxes_to_gt_map(b["boxes"], b["format"]) for b in g["boxes"]])
    return g, heat, gts


def test_gt_maps_match_original():
    g, _, gts = golden_inputs()
    assert [float(m.sum()) for m in gts] == g["gt_sums"]
    assert set(np.unique(gts[0])) == {0.0, 0.5, 1.0}  # flickr: consensus of two annotators


def test_scores_match_original_evaluator():
    g, heat, gts = golden_inputs()
    np.testing.assert_allclose(per_image_ciou(heat, gts), g["cious"], atol=1e-12)
    scores = localization_scores(heat, gts)
    assert scores["cIoU"] == pytest.approx(g["ap50"], abs=1e-12)
    assert scores["mean_cIoU"] == pytest.approx(g["mean_ciou"], abs=1e-12)
    assert scores["AUC"] == pytest.approx(g["auc"], abs=1e-12)


def test_edge_cases():
    g, heat, gts = golden_inputs()
    cious = per_image_ciou(heat, gts)
    assert cious[2] == 1.0  # all correct
    assert cious[4] == 0.0  # all wrong
    assert cious[6] == 0.0  # empty ground truth
    perfect = localization_scores(heat[[2, 2]], gts[[2, 2]])
    assert perfect == {"cIoU": 1.0, "AUC": pytest.approx(1.0), "mean_cIoU": 1.0}
    wrong = localization_scores(heat[[4]], gts[[4]])
    assert wrong["cIoU"] == 0.0 and wrong["AUC"] == pytest.approx(0.05 / 2)  # only t=0 succeeds
    torch_scores = localization_scores(torch.from_numpy(heat), torch.from_numpy(gts))
    assert torch_scores == localization_scores(heat, gts)


def test_bad_shapes_and_formats():
    with pytest.raises(ValueError, match="same shape"):
        per_image_ciou(np.zeros((2, 224, 224)), np.zeros((3, 224, 224)))
    with pytest.raises(ValueError, match="box_format"):
        boxes_to_gt_map([[0, 0, 1, 1]], "coco")
    with pytest.raises(ValueError, match="4 values"):
        boxes_to_gt_map([[0, 0, 1]], "vggss")


def test_upsampling_modes_match_original():
    g = json.loads((GOLDEN / "upsampling.json").read_text())
    small = torch.randn(2, 1, 7, 7, generator=torch.Generator().manual_seed(g["seed"])).squeeze(1)
    gt = boxes_to_gt_map([g["box"]], "vggss")[None].repeat(2, 0)
    for mode in ("bicubic", "bilinear"):
        maps = upsample_maps(small, mode).numpy()
        np.testing.assert_allclose(per_image_ciou(maps, gt), g[mode], atol=1e-12)
    with pytest.raises(ValueError, match="interpolation"):
        upsample_maps(small, "nearest")


def test_object_guided_fusion_formula():
    from fnac_avl.object_guided import fuse

    rng = np.random.default_rng(0)
    av, obj = rng.random((2, 224, 224)) * 5, rng.random((2, 224, 224)) + 3

    def norm(x):  # utils.normalize_img
        return (x - x.min()) / (x.max() - x.min()) if x.max() - x.min() != 0 else x

    expected = np.stack([norm(0.4 * norm(a) + 0.6 * norm(o)) for a, o in zip(av, obj, strict=True)])
    np.testing.assert_allclose(fuse(av, obj, 0.4), expected, atol=1e-12)
