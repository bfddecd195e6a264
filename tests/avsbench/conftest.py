from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest
import torch

os.environ.setdefault("HF_HUB_OFFLINE", "1")
GOLDEN = Path(__file__).with_name("golden")


def _load_seeded():
    spec = importlib.util.spec_from_file_location("avsbench_test_seeded", Path(__file__).with_name("seeded.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def seeded():
    return _load_seeded()


@pytest.fixture(scope="session")
def golden():
    def load(name: str):
        return torch.load(GOLDEN / name, weights_only=False)

    return load
