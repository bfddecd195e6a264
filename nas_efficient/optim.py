"""The original's optimizer: fairseq's `adam` (mixFormer `fairseq/optim/adam.py`).

It differs from `torch.optim.Adam(weight_decay=...)` in two ways that change a run:
- weight decay is decoupled (p -= lr * wd * p before the Adam step, as AdamW) and applied to EVERY
  parameter that has a gradient: biases, norm weights, the cls token and the position embeddings too;
- eps is added to sqrt(v) before the bias correction, which is folded into the step size
  (lr * sqrt(1 - beta2^t) / (1 - beta1^t)).
A parameter whose gradient is None in a step (an attention type or a layer the sampled sub-network did not
use) is left alone: no decay, no moment update, as fairseq does after its zero_grad (grads set to None).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import torch

from shared.optim import OptimConfig


class FairseqAdam(torch.optim.Optimizer):
    def __init__(self, params: Iterable, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay})

    @torch.no_grad()
    def step(self, closure=None):  # noqa: ANN001, ANN201 - torch's signature
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = p.grad.float()
                value = p.float()
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = torch.zeros_like(value)
                    state["exp_avg_sq"] = torch.zeros_like(value)
                state["step"] += 1
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
                exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                denom = exp_avg_sq.sqrt().add_(group["eps"])
                step_size = group["lr"] * math.sqrt(1 - beta2 ** state["step"]) / (1 - beta1 ** state["step"])
                if group["weight_decay"] != 0:
                    value.add_(value, alpha=-group["weight_decay"] * group["lr"])
                value.addcdiv_(exp_avg, denom, value=-step_size)
                p.copy_(value)
        return loss


def build_optimizer(model: torch.nn.Module, cfg: OptimConfig) -> torch.optim.Optimizer:
    """The recipe's optimizer from the shared optimizer config: `adam` is fairseq's (decay on every
    parameter; `decay_1d_params` does not apply), the other names are the shared ones."""
    if cfg.name != "adam":
        from shared.optim import build_optimizer as shared_optimizer

        return shared_optimizer(model, cfg)
    params = [p for p in model.parameters() if p.requires_grad]
    return FairseqAdam(params, lr=cfg.lr, betas=cfg.betas, eps=cfg.eps, weight_decay=cfg.weight_decay)
