"""What keeps a run on N processes the same experiment as the original's run on one GPU.

Three things change when a batch is split over processes, and each has its remedy here:
- BatchNorm normalises with each process's share of the batch: `convert_sync_batchnorm` makes every
  BatchNorm layer use the statistics of the whole global batch (and update its running statistics
  with them), as one process would.
- a contrastive loss sees only its process's share as negatives: `all_gather_with_grad` hands every
  process the whole batch's features, and sends the gradient of each share back to its process.
- a global batch that does not divide over the processes: `plan_batch` refuses it with the choices
  (fewer processes, another grad_accum) instead of a traceback from the sampler, and
  `usable_process_counts` / `processes_for_batch` let a launcher pick a process count that works.
The rules, and what gradient accumulation does to batch statistics, are in shared/PARALLEL.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch.nn.modules.batchnorm import _BatchNorm

from shared.norms import TokensLast

# ----------------------------------------------------------------------------------------------
# loss normalisers that count over the batch


def per_process_share(count: torch.Tensor, min_total: float = 0.0) -> torch.Tensor:
    """The global batch's `count` (at least `min_total`) divided by the number of processes.

    A loss `local_sum / count` normalised by a count that varies with the samples (positive labels, valid
    tokens) differs between one process and N: each process would divide by its own count. Dividing the
    local sum by this share instead makes DDP's average over processes equal the one-process loss
    `global_sum / global_count`. Not differentiable (a count needs no gradient).
    """
    _, world = _world()
    if world == 1:
        return count.clamp(min=min_total)
    total = count.detach().clone()
    dist.all_reduce(total, op=dist.ReduceOp.SUM)
    return total.clamp(min=min_total) / world


# ----------------------------------------------------------------------------------------------
# gathering with gradients


def _world() -> tuple[int, int]:
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


class _GatherWithGrad(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        rank, world = _world()
        ctx.rank, ctx.rows = rank, x.shape[0]
        parts = [torch.empty_like(x) for _ in range(world)]
        dist.all_gather(parts, x.contiguous())
        return torch.cat(parts, dim=0)

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> torch.Tensor:
        # every process's loss may depend on every share: the gradient of a share is the sum over
        # processes of what each process's loss sends back to it
        grad = grad.contiguous()
        dist.all_reduce(grad, op=dist.ReduceOp.SUM)
        return grad[ctx.rank * ctx.rows : (ctx.rank + 1) * ctx.rows]


def all_gather_with_grad(x: torch.Tensor) -> torch.Tensor:
    """Every process's `x` concatenated along dim 0 in rank order, differentiable; `x` when not distributed.

    Every process must pass the same shape (the trainer's sampler gives each the same share). Rank
    order is the global batch's order, so the result equals the one-process batch. Compute the loss
    over the whole gathered batch on every process: the backward sums each share's gradient over the
    W processes and DDP averages over them, so the two factors of W cancel and the gradient equals
    the one-process gradient (tests/shared/test_parallel_semantics.py).
    """
    _, world = _world()
    if world == 1:
        return x
    return _GatherWithGrad.apply(x)


# ----------------------------------------------------------------------------------------------
# BatchNorm over the global batch


class GlobalBatchNorm(_BatchNorm):
    """BatchNorm whose training statistics are those of the batch over all processes (any backend).

    torch.nn.SyncBatchNorm does the same with fused kernels but runs on accelerators only; this one
    runs on every device, so the CPU (gloo) tests prove the semantics. Per-process mean and sum of
    squared deviations are combined exactly (Chan et al.), differentiably: the gradient reaches every
    process's input through the shared statistics. Not distributed, or in eval mode: plain BatchNorm.
    """

    def _check_input_dim(self, x: torch.Tensor) -> None:
        if x.dim() < 2:
            raise ValueError(f"GlobalBatchNorm expects (batch, channels, ...) input, got shape {tuple(x.shape)}")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self._check_input_dim(x)
        _, world = _world()
        training = self.training or self.running_mean is None
        if world == 1 or not training:
            return _plain_batch_norm(self, x)
        momentum = self._momentum_this_step()
        channels = x.shape[1]
        dims = [0, *range(2, x.dim())]
        shape = [1, channels] + [1] * (x.dim() - 2)
        count = x.numel() // channels
        xf = x.float()  # statistics in float32: a half-precision count or sum would round
        mean = xf.mean(dims)
        m2 = ((xf - mean.view(shape)) ** 2).sum(dims)
        local = torch.cat([mean, m2, mean.new_full((1,), float(count))])
        stats = all_gather_with_grad(local.unsqueeze(0))  # world x (2C + 1)
        means, m2s, counts = stats[:, :channels], stats[:, channels : 2 * channels], stats[:, 2 * channels :]
        total = counts.sum()
        g_mean = (counts * means).sum(0) / total
        g_m2 = m2s.sum(0) + (counts * (means - g_mean) ** 2).sum(0)
        g_var = g_m2 / total
        if self.track_running_stats:
            with torch.no_grad():
                n = float(total)
                unbiased = g_m2 / max(n - 1.0, 1.0)
                self.running_mean.mul_(1 - momentum).add_(momentum * g_mean.detach())
                self.running_var.mul_(1 - momentum).add_(momentum * unbiased.detach())
        y = (xf - g_mean.view(shape)) * torch.rsqrt(g_var.view(shape) + self.eps)
        if self.affine:
            y = y * self.weight.view(shape) + self.bias.view(shape)
        return y.to(x.dtype)

    def _momentum_this_step(self) -> float:
        """As _BatchNorm: count the batch, and use the cumulative average when momentum is None."""
        if not (self.training and self.track_running_stats):
            return 0.0 if self.momentum is None else self.momentum
        self.num_batches_tracked.add_(1)
        return 1.0 / float(self.num_batches_tracked) if self.momentum is None else self.momentum


def _plain_batch_norm(bn: _BatchNorm, x: torch.Tensor) -> torch.Tensor:
    return _BatchNorm.forward(bn, x)


class _TokenGlobalBatchNorm(TokensLast, GlobalBatchNorm):
    """GlobalBatchNorm on (..., C) tokens: what a TokenBatchNorm becomes off CUDA."""


class _TokenSyncBatchNorm(TokensLast, torch.nn.SyncBatchNorm):
    """torch.nn.SyncBatchNorm on (..., C) tokens: what a TokenBatchNorm becomes on CUDA."""


_PLAIN_FORWARDS = {_BatchNorm.forward, torch.nn.BatchNorm1d.forward, torch.nn.BatchNorm2d.forward,
                   torch.nn.BatchNorm3d.forward, torch.nn.SyncBatchNorm.forward, GlobalBatchNorm.forward}


def convert_sync_batchnorm(model: torch.nn.Module, device: torch.device | None = None) -> torch.nn.Module:
    """Replace every BatchNorm layer of `model` by one that uses the whole global batch's statistics.

    On CUDA: torch.nn.SyncBatchNorm (fused kernels); elsewhere: GlobalBatchNorm. A channels-last
    BatchNorm (`shared.norms.TokensLast`, e.g. TokenBatchNorm) keeps its layout. Parameters (the same
    objects), running statistics and module names are kept, so state dicts load either way. Returns
    the converted model (the root itself if it is a BatchNorm).
    """
    custom = [name or type(model).__name__ for name, m in model.named_modules()
              if isinstance(m, _BatchNorm) and type(m).forward not in _PLAIN_FORWARDS and not isinstance(m, TokensLast)]
    if custom:
        # the replacement runs BatchNorm's own forward: a subclass's reshaping around it would be lost
        raise ValueError(f"cannot synchronise BatchNorm subclasses with their own forward ({', '.join(custom)}): "
                         f"make them reshape outside the BatchNorm module (or use shared.norms.TokensLast), "
                         f"or leave train.sync_batchnorm off")
    device = device or next((p.device for p in model.parameters()), torch.device("cpu"))
    return _convert(model, cuda=device.type == "cuda")


def _synchronised_class(module: _BatchNorm, cuda: bool) -> type[_BatchNorm] | None:
    if isinstance(module, (GlobalBatchNorm, torch.nn.SyncBatchNorm)):
        return None  # already synchronised
    tokens = isinstance(module, TokensLast)
    if cuda:
        return _TokenSyncBatchNorm if tokens else torch.nn.SyncBatchNorm
    return _TokenGlobalBatchNorm if tokens else GlobalBatchNorm


def _convert(module: torch.nn.Module, cuda: bool) -> torch.nn.Module:
    out = module
    cls = _synchronised_class(module, cuda) if isinstance(module, _BatchNorm) else None
    if cls is not None:
        out = cls(module.num_features, module.eps, module.momentum, module.affine, module.track_running_stats)
        if module.affine:  # the same Parameter objects: an optimizer built before still holds them
            out.weight = module.weight
            out.bias = module.bias
        out.running_mean = module.running_mean
        out.running_var = module.running_var
        out.num_batches_tracked = module.num_batches_tracked
        out.training = module.training
        if hasattr(module, "qconfig"):
            out.qconfig = module.qconfig
    for name, child in module.named_children():
        out.add_module(name, _convert(child, cuda))
    return out


def count_batchnorm(model: torch.nn.Module) -> int:
    return sum(isinstance(m, _BatchNorm) for m in model.modules())


# ----------------------------------------------------------------------------------------------
# the global batch over processes and accumulation steps


class BatchPlanError(ValueError):
    """A global batch that cannot be split evenly over the processes and accumulation steps."""


@dataclass(frozen=True)
class BatchPlan:
    global_batch: int
    processes: int
    grad_accum: int

    @property
    def micro_batch(self) -> int:
        """Samples per process per forward pass."""
        return self.global_batch // (self.processes * self.grad_accum)

    def batch_statistics_size(self, sync_batchnorm: bool) -> int:
        """Samples BatchNorm normalises over in one forward: a micro-batch, or all processes' micro-batches."""
        return self.micro_batch * (self.processes if sync_batchnorm else 1)


def usable_process_counts(global_batch: int, max_processes: int, grad_accum: int = 1) -> list[int]:
    """Process counts up to `max_processes` over which `global_batch` splits evenly at `grad_accum`."""
    return [n for n in range(1, max(max_processes, 1) + 1) if global_batch % (n * grad_accum) == 0]


def processes_for_batch(global_batch: int, gpus: int, grad_accum: int = 1) -> int:
    """The most processes (at most `gpus`, at least 1) that keep `global_batch` whole at `grad_accum`."""
    usable = usable_process_counts(global_batch, gpus, grad_accum)
    if not usable:
        raise BatchPlanError(f"global batch {global_batch} does not divide by grad_accum {grad_accum}")
    return usable[-1]


def plan_batch(global_batch: int, processes: int, grad_accum: int = 1, key: str = "train") -> BatchPlan:
    """Check that `global_batch` splits into `processes` x `grad_accum` equal micro-batches.

    The global batch is the recipe's and is never changed here. Otherwise raise BatchPlanError
    listing what would work: a process count, or (when the batch divides over the processes) a
    grad_accum; `key` is the config section the trainer settings live under, for the message.
    """
    if global_batch < 1 or processes < 1 or grad_accum < 1:
        raise BatchPlanError(f"{key}.batch_size={global_batch}, {key}.grad_accum={grad_accum} and the number of "
                             f"processes ({processes}) must all be positive")
    if global_batch % (processes * grad_accum) == 0:
        return BatchPlan(global_batch, processes, grad_accum)
    choices = []
    counts = usable_process_counts(global_batch, max(processes, 8), grad_accum)
    if counts:
        example = max([c for c in counts if c <= processes] or counts[:1])
        devices = ",".join(str(i) for i in range(example))
        choices.append(f"use {_or_list(counts)} GPU{'s' if counts != [1] else ''} (e.g. CUDA_VISIBLE_DEVICES={devices})")
    if global_batch % processes == 0:
        per_process = global_batch // processes
        accums = [g for g in range(1, per_process + 1) if per_process % g == 0]
        choices.append(f"set {key}.grad_accum={_or_list(accums)}")
    elif not counts:
        choices.append(f"set {key}.grad_accum to a divisor of {global_batch}")
    raise BatchPlanError(
        f"global batch {global_batch} does not split evenly over {processes} process{'es' if processes > 1 else ''}"
        f" x {key}.grad_accum={grad_accum}: {' or '.join(choices)}. The global batch is the recipe's and is not "
        f"changed for you. Note that {key}.grad_accum > 1 runs each batch as smaller forward passes, so BatchNorm "
        f"statistics and in-batch negatives then cover one micro-batch only; where they matter, more processes with "
        f"{key}.sync_batchnorm=true (and features gathered across processes) at grad_accum=1 is the exact route."
    )


def _or_list(values: list[int]) -> str:
    words = [str(v) for v in values]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]

