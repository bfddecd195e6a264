import json

import numpy as np
import pytest
import torch
from PIL import Image

from sam_wsss.config import PseudoConfig
from sam_wsss.data import voc_dataset
from sam_wsss.evaluate import evaluate_dirs
from sam_wsss.evaluate import main as evaluate_main
from sam_wsss.generate import FAILURES_FILE, build_labeler, generate, shard_ids
from sam_wsss.label_map import read_label_png
from sam_wsss.model import tiny_sam
from sam_wsss.segmenter import SamBoxSegmenter


def test_generation_writes_resumes_and_logs_failures(tiny_voc, tmp_path):
    cfg = PseudoConfig()
    cfg.detector.kind = cfg.segmenter.kind = "tiny"
    cfg.detector.size, cfg.detector.max_size = 128, 200  # the 4th feature level needs >= 2x2 (input >= 33 px x 32)
    labeler = build_labeler(cfg, torch.device("cpu"))
    dataset = voc_dataset(tiny_voc, "train")
    out = tmp_path / "pseudo"
    dataset.ids = [*dataset.ids[:3], "does_not_exist"]
    dataset.class_labels["does_not_exist"] = [8]
    first = generate(dataset, labeler, out, overlays=2, progress=False)
    assert first.written == dataset.ids[:3] and first.failed == ["does_not_exist"]
    failure = json.loads((out / FAILURES_FILE).read_text().splitlines()[0])
    assert failure["id"] == "does_not_exist" and "does_not_exist.jpg" in failure["error"]
    for image_id in first.written:
        with Image.open(out / f"{image_id}.png") as png:
            assert png.mode == "P" and png.size == (48, 48)
        assert read_label_png(out / f"{image_id}.png").max() <= 20
    assert len(list((out / "overlays").glob("*.png"))) == 2
    detections = [json.loads(line) for line in (out / "detections.jsonl").read_text().splitlines()]
    assert [d["id"] for d in detections] == first.written and detections[0]["caption"]
    before = {i: (out / f"{i}.png").stat().st_mtime_ns for i in first.written}
    second = generate(dataset, labeler, out, progress=False)
    assert second.skipped == first.written and second.written == []
    assert before == {i: (out / f"{i}.png").stat().st_mtime_ns for i in first.written}


def test_no_boxes_give_an_all_background_map():
    segmenter = SamBoxSegmenter(tiny_sam())
    masks = segmenter(np.zeros((10, 12, 3), np.uint8), torch.zeros(0, 4))
    assert masks.shape == (0, 10, 12)
    masks = segmenter(np.zeros((10, 12, 3), np.uint8), torch.tensor([[1.0, 1.0, 8.0, 9.0]]))
    assert masks.shape == (1, 10, 12) and masks.dtype == bool


def test_evaluation_on_known_masks(tiny_voc, tmp_path, capsys):
    dataset = voc_dataset(tiny_voc, "train")
    perfect = tmp_path / "perfect"
    perfect.mkdir()
    for image_id in dataset.ids[:-1]:  # the last one is missing: the original's rule skips it
        gt = dataset.gt(image_id)
        Image.fromarray(np.where(gt == 255, 0, gt).astype(np.uint8), mode="L").save(perfect / f"{image_id}.png")
    result = evaluate_dirs(perfect, dataset.gt_path, dataset.ids, 21)
    assert result["missing"] == 1 and result["miou"] == pytest.approx(1.0)
    with pytest.raises(FileNotFoundError, match="prediction missing"):
        evaluate_dirs(perfect, dataset.gt_path, dataset.ids, 21, rule="mmseg")
    split = tiny_voc / "ImageSets" / "Segmentation" / "train.txt"
    evaluate_main(["--pred", str(perfect), "--gt", str(tiny_voc / "SegmentationClass"), "--split", str(split),
                   "--out", str(tmp_path / "s.json")])
    assert "| **mIoU (original rule)** |" in capsys.readouterr().out
    assert json.loads((tmp_path / "s.json").read_text())["images"] == 6


def test_bfloat16_autocast_runs_the_same_steps(tiny_voc):
    cfg = PseudoConfig(amp=True)
    cfg.detector.kind = cfg.segmenter.kind = "tiny"
    cfg.detector.size, cfg.detector.max_size = 128, 200
    dataset = voc_dataset(tiny_voc, "train")
    result = build_labeler(cfg, torch.device("cpu"))("x", dataset.image(dataset.ids[0]), [8])
    assert result.label_map.shape == (48, 48) and result.label_map.dtype == np.uint8
    assert result.prompts.boxes.dtype == torch.float32


def test_shards_partition_the_ids():
    ids = [str(i) for i in range(10)]
    parts = [shard_ids(ids, f"{i}/3") for i in range(3)]
    assert sorted(sum(parts, [])) == sorted(ids)
    with pytest.raises(ValueError, match="i/n"):
        shard_ids(ids, "3")
