"""The process's place in a torchrun job, read from the environment torchrun sets."""

from __future__ import annotations

import pytest
import torch

from shared import distributed


def test_rank_is_global_and_local_rank_is_per_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """On the second of two 4-GPU machines, the first process is rank 4 (it owns a slice of the data) and uses
    local GPU 0."""
    joined = []
    monkeypatch.setattr(distributed.dist, "is_initialized", lambda: False)
    monkeypatch.setattr(distributed.dist, "init_process_group", lambda **kwargs: joined.append(kwargs))
    monkeypatch.setenv("WORLD_SIZE", "8")
    monkeypatch.setenv("RANK", "4")
    monkeypatch.setenv("LOCAL_RANK", "0")
    info = distributed.init_distributed("cpu")
    assert (info.rank, info.world_size, info.local_rank, info.device) == (4, 8, 0, torch.device("cpu"))
    assert not info.is_main and info.distributed
    assert joined == [{"backend": "gloo", "device_id": None}]


def test_a_single_process_without_torchrun(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("WORLD_SIZE", "RANK", "LOCAL_RANK"):
        monkeypatch.delenv(name, raising=False)
    info = distributed.init_distributed("cpu")
    assert (info.rank, info.world_size, info.is_main, info.distributed) == (0, 1, True, False)
    assert distributed.gather_objects({"a": 1}) == [{"a": 1}]
    assert distributed.mean_over_processes({"loss": 2.0}, info.device) == {"loss": 2.0}
