"""The ImageNet recipe end to end on a generated ImageFolder: timm's transforms, repeated-augmentation
sampling, Mixup/CutMix, AdamW, per-epoch cosine, clipping, evaluation."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
import torch

from tnn.config import deit_tiny_config, imagenet_config
from tnn.imagenet import DataError, optimizer_and_schedule, run
from tnn.model import build_model
from tnn.synthetic import generate_imagefolder


def small(tmp_path, **changes):
    model = deit_tiny_config(image_size=32, patch_size=8, embed_dim=16, glu_dim=16, num_layers=1, rpe_dim=8,
                             num_classes=3)
    return replace(imagenet_config(model), data_root=str(tmp_path / "imagenet"), batch_size=6, eval_batch_size=6,
                   num_workers=0, epochs=6, warmup_epochs=1, **changes)


def test_recipe_runs_end_to_end_on_an_image_folder(tmp_path):
    torch.set_num_threads(1)
    generate_imagefolder(tmp_path / "imagenet", classes=3, per_class={"train": 8, "val": 4}, size=40)
    results = run(small(tmp_path), tmp_path / "run")
    assert results["metric"] == "top1" and 0.0 <= results["ours"] <= 1.0 and results["top5"] == 1.0
    assert results["val_images"] == 12
    # repeated augmentation: each epoch sees every image 3 times over 3 replicas' worth, cut to the dataset size
    assert results["step"] == 6 * (24 // 6) and (tmp_path / "run" / "model.pt").is_file()
    # main.py steps the schedule with the finished epoch's index: epochs 0 and 1 both train at the warm-up start
    lrs = results["epoch_lrs"]
    peak = 5e-4 * 6 / 512
    assert lrs[0] == lrs[1] == pytest.approx(1e-6)
    assert lrs[2] == pytest.approx(1e-5 + 0.5 * (peak - 1e-5) * (1 + math.cos(math.pi * 1 / 6)))  # lr(t = 1)


def test_optimizer_and_schedule_follow_main_py(tmp_path):
    cfg = replace(small(tmp_path), batch_size=1024, epochs=300, warmup_epochs=10)
    model = build_model(cfg)
    optimizer, schedule = optimizer_and_schedule(model, cfg)
    groups = {g["weight_decay"]: g for g in optimizer.param_groups}
    assert set(groups) == {0.0, 0.05}
    assert all(p.ndim <= 1 for p in groups[0.0]["params"]) and all(p.ndim > 1 for p in groups[0.05]["params"])
    assert isinstance(optimizer, torch.optim.AdamW) and optimizer.defaults["eps"] == 1e-8
    assert optimizer.param_groups[0]["lr"] == pytest.approx(1e-6)  # warm-up starts at 1e-6
    peak = 5e-4 * 1024 / 512  # linear scaling with the global batch
    schedule.step(5)
    assert optimizer.param_groups[0]["lr"] == pytest.approx(1e-6 + 5 * (peak - 1e-6) / 10)
    schedule.step(150)  # timm counts the cosine from epoch 0, warm-up included (no warmup_prefix), as main.py
    assert optimizer.param_groups[0]["lr"] == pytest.approx(1e-5 + 0.5 * (peak - 1e-5) * (1 + math.cos(math.pi / 2)))
    schedule.step(300)
    assert optimizer.param_groups[0]["lr"] == pytest.approx(1e-5)


def test_missing_split_and_class_mismatch_name_the_folder(tmp_path):
    with pytest.raises(DataError, match=r"imagenet/train: missing"):
        run(small(tmp_path), tmp_path / "run")
    generate_imagefolder(tmp_path / "imagenet", classes=2, per_class={"train": 2, "val": 1}, size=32)
    with pytest.raises(DataError, match="2 class folders, but model.num_classes=3"):
        run(small(tmp_path), tmp_path / "run")


def test_two_processes_split_the_batch_and_count_every_validation_image(tmp_path):
    import json
    import subprocess
    import sys
    from pathlib import Path

    generate_imagefolder(tmp_path / "imagenet", classes=3, per_class={"train": 8, "val": 3}, size=40)
    config = tmp_path / "small.py"
    config.write_text(
        "from dataclasses import replace\n"
        "from tnn.config import deit_tiny_config, imagenet_config\n\n\n"
        "def get_config():\n"
        "    model = deit_tiny_config(image_size=32, patch_size=8, embed_dim=16, glu_dim=16, num_layers=1, rpe_dim=8,\n"
        "                             num_classes=3)\n"
        f"    return replace(imagenet_config(model), data_root={str(tmp_path / 'imagenet')!r}, batch_size=8,\n"
        "                   eval_batch_size=2, num_workers=0, epochs=2, warmup_epochs=1)\n")
    proc = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
                           "-m", "tnn.imagenet", "--config", str(config), "--run-dir", str(tmp_path / "run")],
                          capture_output=True, text=True, timeout=600, cwd=Path(__file__).resolve().parents[2],
                          env={**__import__("os").environ, "OMP_NUM_THREADS": "1"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads((tmp_path / "run" / "results.json").read_text())
    # 24 images, 3 repeats over 2 replicas: 12 per process and epoch, in batches of 8 / 2 = 4
    assert results["step"] == 2 * (12 // 4)
    assert results["val_images"] == 9  # each process scores its share, the counts are summed
