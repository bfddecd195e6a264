"""A deterministic, resumable batch sampler that splits each global batch across processes.

Every process computes the same permutation from (seed, epoch), so the global batch of update `s`
is the same set of samples whatever the number of processes, and a run resumed at update `s` of
an epoch sees exactly the batches it would have seen. (Random augmentation inside DataLoader
workers is the one thing a mid-epoch resume does not replay draw for draw: the workers restart.)
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch


class ResumableBatchSampler(torch.utils.data.Sampler[list[int]]):
    def __init__(
        self,
        num_samples: int,
        global_batch_size: int,
        grad_accum: int = 1,
        rank: int = 0,
        world_size: int = 1,
        shuffle: bool = True,
        seed: int = 0,
    ) -> None:
        micro, rest = divmod(global_batch_size, grad_accum * world_size)
        if rest or micro == 0:
            raise ValueError(
                f"batch_size={global_batch_size} must be a positive multiple of "
                f"grad_accum ({grad_accum}) x processes ({world_size})"
            )
        if num_samples < global_batch_size:
            raise ValueError(f"the dataset has {num_samples} samples, fewer than one batch of {global_batch_size}")
        self.num_samples = num_samples
        self.global_batch_size = global_batch_size
        self.micro_batch_size = micro
        self.grad_accum = grad_accum
        self.rank = rank
        self.world_size = world_size
        self.shuffle = shuffle
        self.seed = seed
        self.epoch = 0
        self.start_step = 0

    @property
    def steps_per_epoch(self) -> int:
        """Optimizer updates per epoch (the last partial global batch is dropped, as in the original loops)."""
        return self.num_samples // self.global_batch_size

    def set_position(self, epoch: int, step_in_epoch: int) -> None:
        self.epoch, self.start_step = epoch, step_in_epoch

    def order(self, epoch: int) -> np.ndarray:
        if not self.shuffle:
            return np.arange(self.num_samples)
        return np.random.default_rng([self.seed, epoch]).permutation(self.num_samples)

    def __iter__(self) -> Iterator[list[int]]:
        order = self.order(self.epoch)
        m = self.micro_batch_size
        for step in range(self.start_step, self.steps_per_epoch):
            batch = order[step * self.global_batch_size : (step + 1) * self.global_batch_size]
            for k in range(self.grad_accum):
                start = (k * self.world_size + self.rank) * m
                yield batch[start : start + m].tolist()

    def __len__(self) -> int:
        return (self.steps_per_epoch - self.start_step) * self.grad_accum

