"""The training entry point end to end on a tiny generated dataset: warmup then FNAC terms, results.json,
checkpoint, evaluate CLI on the checkpoint and on saved heatmaps, the smoke profile's margin check."""

from __future__ import annotations

import dataclasses
import json
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from fnac_avl import evaluate
from fnac_avl.config import DataConfig, FNACConfig, LossConfig, ModelConfig, default_train
from fnac_avl.reproduce import check_margin
from fnac_avl.train import run
from shared.runlog import read_metrics


def tiny_config(root, **train) -> FNACConfig:
    return FNACConfig(
        data=DataConfig(generate=str(root), gen_num_train=16, gen_num_test=4, gen_size=32, train_root=f"{root}/train",
                        subset_list="", test_root=f"{root}/vggss_test", testset="vggss",
                        test_csv=f"{root}/metadata/vggss_test.csv", test_annotations=f"{root}/metadata/vggss.json",
                        image_size=64, cache=True),
        model=ModelConfig(embed_dim=8, image_widths=(4, 4, 8, 8), audio_widths=(4, 4, 8, 8)),
        loss=LossConfig(warmup_epochs=1),
        train=dataclasses.replace(default_train(), batch_size=8, log_every=1, progress=False, **train),
        epochs=2,
    )


def test_train_run_and_evaluate(tmp_path):
    cfg = tiny_config(tmp_path / "data")
    out = run(cfg, tmp_path / "run", resume=False)
    results = json.loads((tmp_path / "run" / "results.json").read_text())
    assert results["metric"] == "cIoU" and results["step"] == 4
    assert 0 <= results["ours"] <= 1 and 0 <= results["baseline"] <= 1
    assert {"AUC", "mean_cIoU", "untrained_AUC"} <= set(results)
    train_logs = [r for r in read_metrics(tmp_path / "run") if r["split"] == "train"]
    # the first epoch (2 updates) trains the contrastive term alone, then the FNAC terms join
    assert [r["loss"] == pytest.approx(r["contrastive"]) for r in train_logs] == [True, True, False, False]

    ckpt = sorted((tmp_path / "run" / "checkpoints").glob("*.pt"))[-1]
    model = out["_model"]
    evaluate.load_checkpoint_into(model, ckpt)
    heat, gts = evaluate.predict(model, out["_tests"]["vggss"], 4)
    assert heat.shape == gts.shape == (4, 224, 224)
    np.savez(tmp_path / "preds.npz", heatmaps=heat, gt_maps=gts)
    evaluate.main(["--predictions", str(tmp_path / "preds.npz"), "--out", str(tmp_path / "m.json")])
    saved = json.loads((tmp_path / "m.json").read_text())["all"]
    assert saved["cIoU"] == pytest.approx(results["cIoU"])
    pngs = evaluate.save_overlays(out["_tests"]["vggss"], heat, gts, tmp_path / "viz", count=2)
    assert len(pngs) == 2 and all(p.stat().st_size > 0 for p in pngs)


def test_margin_check():
    check_margin({"ours": 0.4, "baseline": 0.1, "mean_cIoU": 0.35, "untrained_mean_cIoU": 0.25})
    with pytest.raises(SystemExit, match="did not learn"):
        check_margin({"ours": 0.12, "baseline": 0.1, "mean_cIoU": 0.35, "untrained_mean_cIoU": 0.25})


def test_a_vggss_run_keeps_the_epoch_of_the_best_flickr_test_cIoU(tmp_path):
    """The released scripts pass --testset flickr to every training: a run reported on VGG-SS selects its
    checkpoint by the Flickr test set's cIoU, and reports VGG-SS's scores of that epoch."""
    root = tmp_path / "data"
    cfg = tiny_config(root, select_metric="flickr_cIoU", select_mode="max", select_split="test", select_ties="later")
    cfg = dataclasses.replace(cfg, epochs=3, data=dataclasses.replace(
        cfg.data, select_testset="flickr", select_test_root=f"{root}/flickr_test",
        select_test_csv=f"{root}/metadata/flickr_test.csv", select_test_annotations=f"{root}/flickr_test_anno"))
    out = run(cfg, tmp_path / "run", resume=False)
    assert list(out["_tests"]) == ["vggss", "flickr"] and out["flickr_clips"] == 4
    evals = [r for r in read_metrics(tmp_path / "run") if r["split"] == "eval"]
    assert sorted({r["step"] for r in evals}) == [2, 4, 6] and all("flickr_cIoU" in r and "cIoU" in r for r in evals)
    best = max(evals, key=lambda r: (r["flickr_cIoU"], r["step"]))  # ties to the later epoch
    results = json.loads((tmp_path / "run" / "results.json").read_text())
    assert results["best_step"] == best["step"] and results["checkpoint"] == "best flickr_cIoU (the original's rule)"
    assert results["ours"] == pytest.approx(best["cIoU"]) and results["flickr_cIoU"] == pytest.approx(best["flickr_cIoU"])
    assert len({round(r["flickr_cIoU"], 6) for r in evals}) > 1, "the epochs differ, so the rule decides"
    # the selection set is read with Flickr's rule: one annotator's box counts half (VGG-SS's union would give 1)
    xml = next((root / "flickr_test_anno").glob("*.xml"))
    tree = ET.parse(xml)
    boxes = tree.getroot().find("bbs")
    boxes.remove(boxes.findall("bbox")[1])
    tree.write(xml)
    flickr = evaluate.test_sets(cfg.data)["flickr"]
    item = flickr[[c.id for c in flickr.clips].index(xml.stem)]
    assert float(item["gt_map"].max()) == 0.5
