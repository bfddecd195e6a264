"""The benchmark's reimplementation of the original TNO algorithm computes the same product as ours."""

import importlib.util
from pathlib import Path

import torch

spec = importlib.util.spec_from_file_location("tnn_tno_bench", Path(__file__).resolve().parents[2] / "bench" / "tnn_tno.py")
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


def test_original_algorithm_equals_ours():
    for impl_n in (1, 33):
        ours, x = bench.build("ours", impl_n, 8, 2, torch.device("cpu"))
        original = bench.OriginalTno(ours, heads=2)
        assert torch.allclose(original(x), ours(x), atol=1e-5)
