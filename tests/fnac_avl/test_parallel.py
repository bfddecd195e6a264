"""Two processes (torchrun, gloo on CPU) against one on the same global batch: with the paper configs' gathered
negatives and synchronised BatchNorm, every FNAC loss term, the gradients and the BatchNorm running statistics
are the one-process run's (the original trains its batch of 256 on one GPU)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from shared.testing import assert_tensors_close

WORKER = Path(__file__).with_name("parallel_worker.py")
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}
TWO = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    tmp = tmp_path_factory.mktemp("fnac_parallel")
    jobs = {"one": ([sys.executable], ()), "two": (TWO, ()), "two_local": (TWO, ("--no-gather",))}
    out = {}
    for name, (cmd, flags) in jobs.items():
        proc = subprocess.run([*cmd, str(WORKER), str(tmp / f"{name}.pt"), *flags], env=ENV, capture_output=True,
                              text=True, timeout=600)
        assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
        out[name] = torch.load(tmp / f"{name}.pt", weights_only=False)
    return out


def test_two_processes_equal_one(runs: dict) -> None:
    one, two = runs["one"], runs["two"]
    for term in ("loss", "contrastive", "fns_audio", "tne", "fns_image"):
        assert two["logged"][term] == pytest.approx(one["logged"][term], rel=1e-5), term
    assert one["logged"]["fns_audio"] > 1e-3 and one["buffers"], "the FNAC terms and BatchNorm are exercised"
    assert_tensors_close(two["grads"], one["grads"], rtol=1e-4)
    assert_tensors_close(two["buffers"], one["buffers"], rtol=1e-5)


def test_without_gathering_the_loss_sees_fewer_negatives(runs: dict) -> None:
    """Control: each process's share alone gives another contrastive loss, so the test above can fail."""
    assert runs["two_local"]["logged"]["contrastive"] != pytest.approx(runs["one"]["logged"]["contrastive"], rel=1e-3)
