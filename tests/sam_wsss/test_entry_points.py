"""Command-line entry points: generate / evaluate / train / reproduce --profile full, on the generated tree."""

import json
from pathlib import Path

import pytest

CONFIGS = Path(__file__).resolve().parents[2] / "sam_wsss" / "configs"


def test_generate_and_evaluate_commands_on_the_generated_tree(tiny_voc, tmp_path, capsys):
    from sam_wsss.evaluate import main as evaluate_main
    from sam_wsss.generate import main as generate_main

    sets = ["--set", f"pseudo.data.data_root={tiny_voc}", "--set", f"pseudo.out_dir={tmp_path / 'pl'}",
            "--set", "pseudo.data.limit=2", "--set", "pseudo.data.eval_split=train"]
    generate_main(["--config", str(CONFIGS / "smoke.py"), *sets, "--shard", "0/1"])
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["written"] == 2 and report["failed"] == 0
    evaluate_main(["--config", str(CONFIGS / "smoke.py"), *sets, "--out", str(tmp_path / "scores.json")])
    scores = json.loads((tmp_path / "scores.json").read_text())
    assert scores["images"] == 2 and scores["missing"] == 0 and 0 <= scores["miou"] <= 1


def test_missing_data_is_a_one_line_error(tmp_path):
    from sam_wsss.generate import main as generate_main

    with pytest.raises(SystemExit, match=r"error: .*none/JPEGImages: missing"):
        generate_main(["--config", str(CONFIGS / "voc.py"), "--set", f"pseudo.data.data_root={tmp_path}/none"])


def test_train_refuses_an_empty_pseudo_label_folder(tmp_path):
    from sam_wsss.train import main as train_main

    with pytest.raises(SystemExit, match="no pseudo labels; run python -m sam_wsss.generate"):
        train_main(["--config", str(CONFIGS / "smoke.py"), "--pseudo-dir", str(tmp_path)])


def _reproduce(argv):
    from sam_wsss import reproduce
    from shared.reproduce import main

    profiles = {"smoke": reproduce.smoke, "dryrun": reproduce.dryrun, "full": reproduce.full}
    return main(reproduce.__doc__, profiles, argv, add_arguments=reproduce.add_arguments)


def test_full_profile_without_data_stops_with_the_prepare_command(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        _reproduce(["--profile", "full", "--data-root", str(tmp_path / "none"), "--weights-root",
                    str(tmp_path / "w"), "--out", str(tmp_path / "o")])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "python -m sam_wsss.prepare --dataset voc" in err and str(tmp_path / "none" / "voc2012") in err


def test_full_profile_runs_generate_evaluate_train_in_order(tmp_path, monkeypatch):
    from sam_wsss import reproduce
    from shared.reproduce import Run

    commands = []

    def fake_sh(self, cmd, env=None):
        commands.append(list(cmd))
        if "sam_wsss.evaluate" in cmd:
            Path(cmd[cmd.index("--out") + 1]).write_text(json.dumps(
                {"miou": 0.5, "miou_rule": "original", "missing": 0, "class_iou": [0.5] * 21}))
        if "sam_wsss.train" in cmd:
            (tmp_path / "o" / "deeplabv2").mkdir(parents=True, exist_ok=True)
            (tmp_path / "o" / "deeplabv2" / "results.json").write_text(json.dumps(
                {"miou": 0.7, "miou_rule": "mmseg", "class_iou": [0.7] * 21}))

    monkeypatch.setattr(Run, "sh", fake_sh)
    monkeypatch.setattr(reproduce, "required_inputs", lambda cfg: [])
    result = _reproduce(["--profile", "full", "--out", str(tmp_path / "o")])
    modules = [c[c.index("-m") + 1] for c in commands]
    assert modules == ["sam_wsss.generate", "sam_wsss.evaluate", "sam_wsss.train"]
    assert "train.batch_size=10" in commands[2]  # one process here: the whole batch on it
    assert result["ours"] == 0.7 and result["miou_rule"] == "mmseg"
    assert result["pseudo_label_miou"] == 0.5 and result["pseudo_label_miou_rule"] == "original"
    assert "| **mIoU (mmseg rule)** | **70.0** |" in (tmp_path / "o" / "class_iou.md").read_text()


def test_coco_dataset_names_ground_truth_by_number(tmp_path):
    from mmseg.utils import register_all_modules

    from sam_wsss.mmseg_modules import CocoObjectDataset

    register_all_modules()
    (tmp_path / "val2014").mkdir()
    (tmp_path / "val.txt").write_text("COCO_val2014_000000000042\n")
    dataset = CocoObjectDataset(data_root=str(tmp_path), ann_file="val.txt", gt_by_number=True, lazy_init=False,
                                data_prefix=dict(img_path="val2014", seg_map_path="coco_seg_anno"), pipeline=[])
    info = dataset.get_data_info(0)
    assert info["img_path"].endswith("val2014/COCO_val2014_000000000042.jpg")
    assert info["seg_map_path"].endswith("coco_seg_anno/000000000042.png")
    assert len(dataset.metainfo["classes"]) == 81


def test_interrupted_training_resumes_from_its_newest_checkpoint(tiny_voc, tmp_path):
    from dataclasses import replace

    from sam_wsss.train import build_runner
    from shared.config import load_config

    cfg = load_config(CONFIGS / "smoke.py")
    cfg = replace(cfg, train=replace(cfg.train, data_root=str(tiny_voc), work_dir=str(tmp_path / "work"), max_steps=4,
                                     val_interval=2, batch_size=2, log_level="INFO"))
    build_runner(cfg, tiny_voc / "SegmentationClassAug").train()
    work = tmp_path / "work"
    (work / "iter_4.pth").unlink()  # as if killed between the two checkpoints
    (work / "last_checkpoint").write_text(str(work / "iter_2.pth"))
    runner = build_runner(cfg, tiny_voc / "SegmentationClassAug")
    runner.train()
    assert runner.iter == 4 and (work / "iter_4.pth").exists()
    logs = sorted(work.glob("*/*.log"))
    assert "resumed epoch: 0, iter: 2" in logs[-1].read_text()
