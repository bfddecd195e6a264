from __future__ import annotations

import pytest

from shared.sampling import ResumableBatchSampler


def global_batches(world: int, accum: int, epoch: int = 0, start: int = 0) -> list[list[int]]:
    """The samples of each update, gathered over every process and accumulation step."""
    per_rank = []
    for rank in range(world):
        s = ResumableBatchSampler(50, 12, accum, rank, world, seed=3)
        s.set_position(epoch, start)
        per_rank.append(list(s))
    steps = []
    for i in range(len(per_rank[0]) // accum):
        steps.append(sorted(j for r in per_rank for b in r[i * accum : (i + 1) * accum] for j in b))
    return steps


def test_global_batch_is_independent_of_processes_and_accumulation() -> None:
    reference = global_batches(1, 1)
    assert len(reference) == 4 and all(len(b) == 12 for b in reference)
    assert global_batches(2, 1) == reference
    assert global_batches(2, 3) == reference
    assert global_batches(4, 3) == reference


def test_resume_position_and_epochs() -> None:
    assert global_batches(2, 2, start=2) == global_batches(1, 1)[2:]
    assert global_batches(1, 1, epoch=1) != global_batches(1, 1, epoch=0)
    flat = [i for b in global_batches(1, 1) for i in b]
    assert len(set(flat)) == len(flat), "no sample twice in an epoch"


def test_bad_batch_sizes() -> None:
    with pytest.raises(ValueError, match="multiple of grad_accum"):
        ResumableBatchSampler(50, 10, grad_accum=3)
    with pytest.raises(ValueError, match="fewer than one batch"):
        ResumableBatchSampler(5, 8)


@pytest.mark.parametrize(("world", "accum", "start"), [(1, 1, 0), (1, 1, 3), (2, 3, 1), (4, 1, 2)])
def test_length_counts_only_the_batches_left_after_a_resume(world: int, accum: int, start: int) -> None:
    """DataLoader's len() and progress bars rely on it: a resumed epoch yields fewer batches."""
    for rank in range(world):
        s = ResumableBatchSampler(50, 12, accum, rank, world, seed=3)
        s.set_position(1, start)
        assert len(s) == len(list(s)) == (4 - start) * accum
