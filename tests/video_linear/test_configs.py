"""Every paper config builds on the meta device with the parameter count its architecture implies."""

from pathlib import Path

import pytest
import torch

from shared.config import load_config
from video_linear.model import VideoLinearTransformer, count_parameters
from video_linear.reference import original_parameters

CONFIGS = sorted(p for p in (Path(__file__).resolve().parents[2] / "video_linear" / "configs").glob("*.py")
                 if not p.stem.startswith("_"))


def expected_parameters(cfg) -> int:
    """Count from the original definition (lvit_v2_base_patch16_224_in21k_finetune1k + VVTHead), by hand
    (video_linear/reference.py): 52.39M for K400 (separate q/k gates), 52.25M for K600 (shared gate).
    The paper's own table could not be consulted offline."""
    return original_parameters(cfg)


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.stem)
def test_config_parameter_count(path):
    cfg = load_config(path)
    with torch.device("meta"):
        model = VideoLinearTransformer(cfg.model)
    assert count_parameters(model) == expected_parameters(cfg.model)


def test_paper_model_size():
    cfg = load_config(CONFIGS[0].parent / "k400.py")
    with torch.device("meta"):
        n = count_parameters(VideoLinearTransformer(cfg.model))
    assert n == 52_389_520  # ViT-B-sized linear backbone with embed 512 (the original's lvit_v2 "base")


@pytest.mark.parametrize(("name", "lr", "start", "epochs"), [("k400", 0.035, 0.01, 40), ("k600", 0.035, 0.01, 40),
                                                             ("ssv2", 0.03, 0.003, 35), ("charades", 0.035, 0.001, 60)])
def test_recipe_follows_the_released_launch_scripts(name, lr, start, epochs):
    """TRAIN.BATCH_SIZE 32 (global) in every train_*_linear.sh, fp32, warm-up from WARMUP_START_LR."""
    cfg = load_config(CONFIGS[0].parent / f"{name}.py")
    train = cfg.train
    assert (train.batch_size, train.precision, train.optim.lr) == (32, "fp32", lr)
    assert cfg.warmup_start_ratio * lr == pytest.approx(start)
    assert train.max_steps == epochs * train.ckpt_every and train.schedule.warmup_steps == 5 * train.ckpt_every


def test_dataset_specific_settings():
    load = lambda name: load_config(CONFIGS[0].parent / f"{name}.py")  # noqa: E731
    ssv2, k400, charades = load("ssv2"), load("k400"), load("charades")
    assert (ssv2.model.shift_div, ssv2.model.shift_segment, ssv2.data.random_erasing) == (4, 16, 0.5)
    assert not ssv2.data.random_flip and not ssv2.data.xvit_augmentation
    assert k400.data.xvit_augmentation and k400.data.random_erasing == 0.0 and k400.model.shift_div == 8
    assert charades.data.test_crop_size == 224  # the YAML's 256 cannot run in the original model (README)
    assert (k400.init.source, ssv2.init.source, charades.init.source) == ("image21k", "image21k", "video")
