"""Two processes (torchrun, gloo on CPU) against one on the same global MS3 batch: with the paper configs'
synchronised BatchNorm and the AVM losses over the gathered batch, the loss, the gradients and the BatchNorm
running statistics are the one-process run's (the original trains on one GPU)."""

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


def _launch(tmp: Path, name: str, cmd: list[str], *flags: str) -> subprocess.Popen:
    return subprocess.Popen([*cmd, str(WORKER), str(tmp / f"{name}.pt"), *flags], env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    tmp = tmp_path_factory.mktemp("avs_parallel")
    jobs = {"one_kl": ([sys.executable], ()), "two_kl": (TWO, ()), "two_kl_unsynced": (TWO, ("--no-sync",)),
            "one_vv": ([sys.executable], ("--avm", "kl_vv")), "two_vv": (TWO, ("--avm", "kl_vv"))}
    out = {}
    for name, (cmd, flags) in jobs.items():  # one at a time: the machine is small
        proc = _launch(tmp, name, cmd, *flags)
        text, _ = proc.communicate(timeout=600)
        assert proc.returncode == 0, text[-3000:]
        out[name] = torch.load(tmp / f"{name}.pt", weights_only=False)
    return out


@pytest.mark.parametrize("avm", ["kl", "vv"])
def test_two_processes_equal_one(runs: dict, avm: str) -> None:
    one, two = runs[f"one_{avm}"], runs[f"two_{avm}"]
    assert two["logged"]["loss"] == pytest.approx(one["logged"]["loss"], rel=1e-5)
    assert two["logged"]["avm"] == pytest.approx(one["logged"]["avm"], rel=1e-5)
    assert one["logged"]["avm"] > 0.01 and one["buffers"], "the AVM term and BatchNorm are exercised"
    assert_tensors_close(two["grads"], one["grads"], rtol=1e-4)
    assert_tensors_close(two["buffers"], one["buffers"], rtol=1e-5)


def test_without_sync_batchnorm_the_runs_differ(runs: dict) -> None:
    """Control: the batch is one where per-process BatchNorm changes the result, so the test above can fail."""
    with pytest.raises(AssertionError):
        assert_tensors_close(runs["two_kl_unsynced"]["buffers"], runs["one_kl"]["buffers"], rtol=1e-5)
