"""Deterministic random weights for a state-dict layout, so golden fixtures store only names and shapes.

The golden outputs under golden/ were made by filling the ORIGINAL model's state dict with
`seeded_state_dict(spec, seed)`; a test fills the same spec again, converts it, and loads ours.
"""

from __future__ import annotations

import math

import torch


def state_dict_spec(state: dict) -> list[list]:
    """[[name, shape, dtype], ...] in the state dict's order."""
    return [[k, list(v.shape), str(v.dtype).replace("torch.", "")] for k, v in state.items()]


def seeded_state_dict(spec: list[list], seed: int) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    out = {}
    for name, shape, dtype in spec:
        if not dtype.startswith("float"):
            out[name] = torch.zeros(shape, dtype=getattr(torch, dtype))
        elif name.endswith("running_var"):
            out[name] = torch.rand(shape, generator=g) + 0.5
        elif name.endswith("running_mean"):
            out[name] = 0.1 * torch.randn(shape, generator=g)
        elif len(shape) >= 2:
            fan_in = math.prod(shape[1:])
            out[name] = torch.randn(shape, generator=g) / math.sqrt(fan_in)
        elif name.endswith("weight"):  # norm scales
            out[name] = 1.0 + 0.1 * torch.randn(shape, generator=g)
        else:
            out[name] = 0.1 * torch.randn(shape, generator=g)
    return out
