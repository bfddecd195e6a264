from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from shared.config import load_config
from shared.testing import GoldenFiles

os.environ.setdefault("HF_HUB_OFFLINE", "1")
GOLDEN = Path(__file__).with_name("golden")


@pytest.fixture(scope="session")
def golden():
    files = GoldenFiles(GOLDEN)
    return files.__getitem__


SMOKE = Path(__file__).resolve().parents[2] / "avsbench" / "configs" / "smoke.py"


def _smoke_config(root: Path, **train):
    cfg = load_config(SMOKE)
    return dataclasses.replace(cfg, data=dataclasses.replace(cfg.data, data_root=str(root)),
                               train=dataclasses.replace(cfg.train, **train))


@pytest.fixture(scope="module")
def data_root(tmp_path_factory):
    """The smoke profile's generated dataset, written once for both tests."""
    from avsbench.synthetic import generate

    cfg = load_config(SMOKE).data
    clips = dict(zip(("train", "val", "test"), cfg.generate_clips, strict=True))
    return generate(tmp_path_factory.mktemp("smoke") / "Multi-sources", cfg.setting, clips, cfg.generate_image_size)


@pytest.fixture(scope="session")
def smoke_config():
    """The smoke config on a given data root, with trainer fields replaced."""
    return _smoke_config
