"""The smoke reproduction: the real pipeline (tiny random models) on generated data and two real photos, then a
tiny DeepLab-v2 trained through mmsegmentation."""

import json

from PIL import Image


def test_smoke_learns_and_reports_against_the_baseline(smoke_run):
    out, result = smoke_run
    assert json.loads((out / "results.json").read_text()) == result
    assert {"metric", "ours", "baseline"} <= result.keys()
    assert result["ours"] > result["baseline"] + 0.2  # trained network vs all-background on val
    assert result["metric_check_known_masks_miou"] == 1.0
    assert "| smoke: DeepLab-v2 (tiny) val |" in (out / "results.md").read_text()


def test_smoke_pseudo_labels_format_resume_failures_and_overlays(smoke_run):
    out, result = smoke_run
    labels = out / "pseudo_labels"
    assert result["png_mode"] == "P" and result["images_written"] == 18
    assert result["resumed_skipped"] == 16  # the second pass over the train split wrote nothing
    assert result["images_failed"] == ["photo_broken"]  # a truncated JPEG is logged, the run goes on
    assert "photo_broken" in (labels / "failures.jsonl").read_text()
    for name in ("photo_astronaut", "photo_chelsea"):
        with Image.open(labels / f"{name}.png") as png, Image.open(labels / "overlays" / f"{name}.png") as side:
            assert png.mode == "P"
            assert side.size == (2 * png.size[0], png.size[1])  # photo | overlay
