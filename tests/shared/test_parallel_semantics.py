"""Two processes (torchrun, gloo on CPU) against one on the same global batch: loss, gradients and
BatchNorm running statistics agree when BatchNorm is synchronised and features are gathered with
their gradients; and a batch that does not split over the processes is refused with the choices."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from shared.distributed import DistInfo
from shared.norms import TokenBatchNorm
from shared.parallel import (
    BatchPlanError,
    GlobalBatchNorm,
    convert_sync_batchnorm,
    plan_batch,
    processes_for_batch,
    usable_process_counts,
)
from shared.testing import assert_tensors_close
from shared.trainer import Trainer, TrainerConfig

WORKER = Path(__file__).with_name("parallel_worker.py")
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[int, dict]:
    """The worker's output on 1 and on 2 processes (launched together)."""
    root = tmp_path_factory.mktemp("parallel")
    launchers = {1: [sys.executable],
                 2: [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2"]}
    procs = {n: subprocess.Popen([*cmd, str(WORKER), str(root / f"p{n}.pt")], env=ENV, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True) for n, cmd in launchers.items()}
    for proc in procs.values():
        out, _ = proc.communicate(timeout=240)
        assert proc.returncode == 0, out
    return {n: torch.load(root / f"p{n}.pt", weights_only=False) for n in procs}


def test_loss_gradients_and_running_statistics_equal_one_process(runs: dict) -> None:
    one, two = runs[1]["synced"], runs[2]["synced"]
    for step, (a, b) in enumerate(zip(one, two, strict=True)):
        assert b["logged"] == pytest.approx(a["logged"], rel=1e-6), f"step {step}"
        assert_tensors_close(b["grads"], a["grads"])
        assert_tensors_close(b["buffers"], a["buffers"])
    assert 0.5 < one[0]["logged"]["loss"] < 20
    assert all(float(g.abs().max()) > 1e-3 for g in one[0]["grads"].values()), "every parameter gets a gradient"
    for name in ("image.1.running_var", "audio.1.running_var"):  # BatchNorm2d and the channels-last TokenBatchNorm
        bn_var = one[1]["buffers"][name]
        assert float((bn_var - 1).abs().max()) > 0.5, f"{name}: the running statistics moved far from their start"


def test_the_batch_is_one_where_unsynchronised_batchnorm_differs(runs: dict) -> None:
    """Control: without SyncBN the same two-process run does not match, so the test above can fail."""
    one, unsynced = runs[1]["synced"][0], runs[2]["unsynced"][0]
    assert unsynced["logged"]["loss"] != pytest.approx(one["logged"]["loss"], rel=1e-3)
    for prefix in ("image.1.", "audio.1."):  # each BatchNorm, the token one included, needs the synchronisation
        with pytest.raises(AssertionError):
            assert_tensors_close({k: v for k, v in unsynced["buffers"].items() if k.startswith(prefix)},
                                 {k: v for k, v in one["buffers"].items() if k.startswith(prefix)})


def test_trainer_with_sync_batchnorm_trains_the_one_process_model(runs: dict) -> None:
    one, two = runs[1]["trainer"], runs[2]["trainer"]
    assert len(one["losses"]) == 6
    assert two["losses"] == pytest.approx(one["losses"], rel=1e-5)
    assert_tensors_close(two["state"], one["state"], rtol=1e-4)
    assert one["losses"][-1] < one["losses"][0], "the toy problem is learned"
    # the best evaluation is chosen (collectively, without a hang) as one process chooses it
    assert two["results"]["best_step"] == one["results"]["best_step"] and one["results"]["best_step"] in (2, 4, 6)
    assert two["results"]["best_value"] == pytest.approx(one["results"]["best_value"], rel=1e-5)


def test_conversion_keeps_parameters_and_statistics() -> None:
    model = torch.nn.Sequential(torch.nn.Conv2d(2, 4, 1), torch.nn.BatchNorm2d(4, momentum=0.3))
    with torch.no_grad():
        model[1].running_mean.fill_(0.5)
        model[1].weight.fill_(2.0)
    weight = model[1].weight
    converted = convert_sync_batchnorm(model)
    assert converted is model and isinstance(model[1], GlobalBatchNorm)
    assert model[1].weight is weight and model[1].momentum == 0.3
    assert torch.equal(model[1].running_mean, torch.full((4,), 0.5))
    x = torch.randn(6, 2, 3, 3)
    reference = torch.nn.BatchNorm2d(4, momentum=0.3)
    reference.load_state_dict(model[1].state_dict())
    torch.testing.assert_close(model[1](model[0](x)), reference(model[0](x)))  # one process: plain BatchNorm


def test_an_indivisible_batch_names_the_choices() -> None:
    with pytest.raises(BatchPlanError) as err:
        plan_batch(4, 3)
    text = str(err.value)
    assert "global batch 4" in text and "3 processes" in text
    assert "use 1, 2 or 4 GPUs (e.g. CUDA_VISIBLE_DEVICES=0,1)" in text
    assert "grad_accum" in text and "BatchNorm" in text
    with pytest.raises(BatchPlanError, match=r"set train\.grad_accum=1, 2, 3 or 6"):
        plan_batch(12, 2, grad_accum=4)
    plan = plan_batch(256, 8)
    assert (plan.micro_batch, plan.batch_statistics_size(True), plan.batch_statistics_size(False)) == (32, 256, 32)
    assert usable_process_counts(4, 8) == [1, 2, 4]
    assert processes_for_batch(4, 3) == 2 and processes_for_batch(256, 8) == 8 and processes_for_batch(20, 3, 2) == 2


def test_trainer_refuses_an_indivisible_batch_before_training(tmp_path: Path) -> None:
    data = torch.utils.data.TensorDataset(torch.randn(16, 2))
    three = DistInfo(rank=0, world_size=3, local_rank=0, device=torch.device("cpu"))
    with pytest.raises(BatchPlanError, match="use 1, 2 or 4 GPUs"):
        Trainer(torch.nn.Linear(2, 1), TrainerConfig(batch_size=4), data, lambda m, b: m(b[0]).sum(), tmp_path, dist=three)


def test_a_batchnorm_subclass_with_its_own_forward_is_refused_not_silently_replaced() -> None:
    class TokenNorm(torch.nn.BatchNorm1d):  # (b, n, d) tokens: reshapes around BatchNorm's forward
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return super().forward(x.reshape(-1, x.shape[-1])).reshape(x.shape)

    model = torch.nn.Sequential(torch.nn.Linear(3, 4), TokenNorm(4))
    with pytest.raises(ValueError, match=r"BatchNorm subclasses with their own forward \(1\)"):
        convert_sync_batchnorm(model)
    assert type(model[1]) is TokenNorm
    twice = convert_sync_batchnorm(convert_sync_batchnorm(torch.nn.Sequential(torch.nn.BatchNorm1d(4))))
    assert isinstance(twice[0], GlobalBatchNorm)


def test_a_token_batchnorm_keeps_its_channels_last_layout_and_its_state_dict() -> None:
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), TokenBatchNorm(4, momentum=0.2))
    before = {k: v.clone() for k, v in model.state_dict().items()}
    x = 3.0 + 2.0 * torch.randn(5, 7, 3)  # (batch, tokens, features)
    reference = copy.deepcopy(model)
    convert_sync_batchnorm(model)
    assert isinstance(model[1], GlobalBatchNorm) and isinstance(model[1], TokenBatchNorm.__mro__[1])
    assert model.state_dict().keys() == before.keys()
    y, y_ref = model(x), reference(x)  # one process: the token statistics, not those of dim 1
    assert y.shape == (5, 7, 4)
    torch.testing.assert_close(y, y_ref)
    torch.testing.assert_close(model[1].running_mean, reference[1].running_mean)
    assert float(y.mean((0, 1)).abs().max()) < 1e-5, "normalised over batch and tokens, per channel"
    cuda = convert_sync_batchnorm(copy.deepcopy(reference), torch.device("cuda"))  # the class only: runs on no GPU
    assert isinstance(cuda[1], torch.nn.SyncBatchNorm) and isinstance(cuda[1], TokenBatchNorm.__mro__[1])
