"""Helpers for the equivalence tests of every paper: golden files, seeded weights, a relative comparison.

Golden outputs are made by running the original code on seeded weights and fixed inputs (each paper's
`tests/<paper>/golden/make_golden*.py` says which commit of which repository); the test fills our model
with the same seeded weights, converts them, and compares outputs.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import torch


class GoldenFiles:
    """A golden folder whose files load on first use (`golden["outputs.pt"]`) and are then cached."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self._cache: dict[str, Any] = {}

    def path(self, name: str) -> Path:
        path = self.folder / name
        if not path.is_file():
            raise FileNotFoundError(f"golden file {path} is missing; see {self.folder / 'README.md'} for how it is made")
        return path

    def __getitem__(self, name: str) -> Any:
        if name not in self._cache:
            path = self.path(name)
            if path.suffix in (".pt", ".pth"):
                self._cache[name] = torch.load(path, map_location="cpu", weights_only=True)
            elif path.suffix == ".npz":
                with np.load(path, allow_pickle=False) as data:
                    self._cache[name] = {k: data[k] for k in data.files}
            elif path.suffix == ".json":
                self._cache[name] = json.loads(path.read_text())
            else:
                raise ValueError(f"golden file {path}: no loader for {path.suffix!r} (.pt, .pth, .npz, .json)")
        return self._cache[name]


def state_dict_spec(state: dict[str, torch.Tensor]) -> list[list]:
    """[[name, shape, dtype], ...] in the state dict's order: all a golden file needs to rebuild the weights."""
    return [[k, list(v.shape), str(v.dtype).replace("torch.", "")] for k, v in state.items()]


def seeded_state_dict(spec: list[list], seed: int) -> dict[str, torch.Tensor]:
    """Deterministic weights for a state-dict layout, sized so that activations stay of order 1.

    Matrices get fan-in scaled normals, norm scales 1 + noise, BN running variances in [0.5, 1.5); integer
    buffers are zeros. The same (spec, seed) always gives the same tensors, on any machine.
    """
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


def assert_close_to_golden(actual: torch.Tensor | np.ndarray, expected: torch.Tensor | np.ndarray,
                           rel_tol: float = 1e-4, min_scale: float = 0.1, name: str = "output") -> None:
    """max |actual - expected| <= rel_tol * max |expected|, and the golden is big enough to mean something.

    A golden of tiny values (say max 0.07) lets a wrong component through any absolute tolerance, so a golden
    whose largest magnitude is below `min_scale` fails the test instead of passing it.
    """
    actual = torch.as_tensor(np.asarray(actual) if isinstance(actual, np.ndarray) else actual).double()
    expected = torch.as_tensor(np.asarray(expected) if isinstance(expected, np.ndarray) else expected).double()
    assert actual.shape == expected.shape, f"{name}: shape {tuple(actual.shape)} != golden {tuple(expected.shape)}"
    scale = expected.abs().max().item()
    assert scale >= min_scale, f"{name}: golden's largest magnitude {scale:.3g} < {min_scale}; too small to test with"
    diff = (actual - expected).abs().max().item()
    assert diff <= rel_tol * scale, f"{name}: max abs diff {diff:.3g} > {rel_tol} x golden scale {scale:.3g}"


def assert_tensors_close(actual: dict[str, torch.Tensor], expected: dict[str, torch.Tensor], rtol: float = 1e-5) -> None:
    """The same keys, and each tensor within `rtol` of its expected value, also in absolute terms relative to
    that tensor's own largest magnitude (at least 1e-3): gradients and statistics of any scale compare alike."""
    assert actual.keys() == expected.keys()
    for key, exp in expected.items():
        exp = exp.double()
        atol = rtol * max(float(exp.abs().max()), 1e-3)
        torch.testing.assert_close(actual[key].double(), exp, rtol=rtol, atol=atol, msg=key)
