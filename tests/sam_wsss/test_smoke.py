"""The smoke reproduction: the real pipeline (tiny random models) on generated data and two real photos, then a
tiny DeepLab-v2 trained through mmsegmentation."""

from PIL import Image


def test_smoke_learns_and_reports_against_the_baseline(smoke_run):
    out, result = smoke_run
    assert {"metric", "ours", "baseline", "baseline_name"} <= result.keys()
    assert result["ours"] > result["baseline"] + 0.2  # trained network vs all-background on val
    assert result["metric_check_known_masks_miou"] == 1.0
    # each mIoU names its rule: the network's is mmseg's, the pseudo labels' the original's
    assert result["miou_rule"] == "mmseg" and result["pseudo_label_miou_rule"] == "original"
    assert "| **mIoU (mmseg rule)** |" in (out / "class_iou.md").read_text()


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
