"""The trainer across real processes: DDP under torchrun on one machine and on two "nodes" (two torchrun
agents meeting at a local rendezvous, as on two machines), and a run SIGKILLed mid-epoch then resumed."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from shared.checkpoint import checkpoint_path

TOY = Path(__file__).with_name("toy_train.py")
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}


def train(run_dir: Path, *overrides: str, processes: int = 1, step_sleep: float = 0.0) -> subprocess.Popen:
    launcher = [sys.executable]
    if processes > 1:
        launcher += ["-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={processes}"]
    return subprocess.Popen(launcher + toy_args(run_dir, overrides, step_sleep), env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def toy_args(run_dir: Path, overrides: tuple[str, ...], step_sleep: float = 0.0) -> list[str]:
    args = [str(TOY), "--run-dir", str(run_dir), "--step-sleep", str(step_sleep)]
    for item in overrides:
        args += ["--set", item]
    return args


def train_on_two_nodes(run_dir: Path, *overrides: str) -> list[subprocess.Popen]:
    """One torchrun agent per "node", one process each, meeting at a c10d rendezvous on this machine; the run
    folder is shared, as a cluster's network file system would be."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    nodes = []
    for node in range(2):
        launcher = [sys.executable, "-m", "torch.distributed.run", "--nnodes=2", "--nproc_per_node=1",
                    "--rdzv_backend=c10d", f"--rdzv_endpoint=127.0.0.1:{port}", f"--rdzv_id=toy-{port}",
                    f"--node_rank={node}", "--max_restarts=0"]
        nodes.append(subprocess.Popen(launcher + toy_args(run_dir, overrides), env=ENV, stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, text=True))
    return nodes


def finish(proc: subprocess.Popen) -> None:
    out, _ = proc.communicate(timeout=240)
    assert proc.returncode == 0, out


def params(run_dir: Path) -> dict[str, torch.Tensor]:
    return torch.load(run_dir / "final_params.pt")


def logged(run_dir: Path) -> list[dict]:
    """Logged records without the fields that measure wall-clock time."""
    records = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    return [{k: v for k, v in r.items() if k not in ("time", "samples_per_s")} for r in records]


# on CPU (gloo) whatever the machine: one GPU could not hold two ranks
COMMON = ("dropout=0.0", "train.batch_size=8", "train.max_steps=20", "train.device=cpu")


def assert_same_training(run: Path, reference: Path) -> None:
    a, b = params(reference), params(run)
    assert a.keys() == b.keys()
    for key in a:
        torch.testing.assert_close(b[key], a[key], rtol=0, atol=1e-5, msg=key)
    start = torch.load(reference / "checkpoints" / "step_00000015.pt", weights_only=False)["model"]
    assert any(not torch.allclose(start[k], a[k]) for k in a), "the run must have changed the weights"
    losses = lambda d: [r["loss"] for r in logged(d) if r["split"] == "train"]  # noqa: E731
    torch.testing.assert_close(losses(run), losses(reference), rtol=1e-5, atol=0)


def assert_one_random_stream_per_process(run: Path, processes: int) -> None:
    """The checkpoint holds each process's own RNG state (so a resume restores every one), and they differ:
    each process draws its own dropout masks."""
    streams = torch.load(run / "checkpoints" / "step_00000020.pt", weights_only=False)["rng"]
    assert len(streams) == processes
    torch_states = [s["torch"] for s in streams]
    assert all(not torch.equal(torch_states[i], torch_states[j]) for i in range(processes) for j in range(i))


@pytest.fixture(scope="module")
def one_process(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reference: one process on the whole global batch."""
    run_dir = tmp_path_factory.mktemp("one_process") / "run"
    finish(train(run_dir, *COMMON))
    return run_dir


def test_two_process_ddp_matches_one_process_with_the_same_global_batch(tmp_path: Path, one_process: Path) -> None:
    finish(train(tmp_path / "two", *COMMON, processes=2))
    assert_same_training(tmp_path / "two", one_process)
    assert_one_random_stream_per_process(tmp_path / "two", 2)


def test_two_nodes_match_one_process_with_the_same_global_batch(tmp_path: Path, one_process: Path) -> None:
    """Two machines, one process each, accumulating over 2 micro-batches: the update must equal one process's
    on the whole batch (the gradients are averaged across nodes once, after the last micro-batch)."""
    for node in train_on_two_nodes(tmp_path / "nodes", *COMMON, "train.grad_accum=2"):
        finish(node)
    assert_same_training(tmp_path / "nodes", one_process)
    assert_one_random_stream_per_process(tmp_path / "nodes", 2)


def test_sigkilled_run_resumes_to_exactly_the_same_result(tmp_path: Path) -> None:
    # dropout makes the result depend on the restored RNG; 96 samples / 8 = 12 updates an epoch
    common = ("dropout=0.2", "train.max_steps=30", "train.ckpt_every=7", "train.grad_accum=2", "train.keep_checkpoints=5")
    reference = train(tmp_path / "ref", *common)
    victim = train(tmp_path / "cut", *common, step_sleep=0.05)
    deadline = time.monotonic() + 120
    while not checkpoint_path(tmp_path / "cut" / "checkpoints", 14).exists():
        assert victim.poll() is None, victim.stdout.read()
        assert time.monotonic() < deadline, "no checkpoint at step 14"
        time.sleep(0.02)
    time.sleep(0.3)  # a few more updates (and log lines) that the resumed run must redo
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    assert victim.returncode == -signal.SIGKILL
    assert not (tmp_path / "cut" / "results.json").exists(), "killed before the end"

    finish(train(tmp_path / "cut", *common))
    finish(reference)
    a, b = params(tmp_path / "ref"), params(tmp_path / "cut")
    for key in a:
        assert torch.equal(a[key], b[key]), key
    assert logged(tmp_path / "cut") == logged(tmp_path / "ref")
    assert json.loads((tmp_path / "cut" / "results.json").read_text()) == json.loads(
        (tmp_path / "ref" / "results.json").read_text()
    )
