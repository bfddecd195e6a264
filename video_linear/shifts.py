"""Neighbourhood association: zero-parameter token shifts applied to keys and values before attention.

Temporal shift (TSM-style, used inside the *spatial* attention): a fraction of the channels of each
token is taken from the same position in the previous / next frame. Spatial shift (used inside the
*temporal* attention): a fraction of the channels is taken from one of the 8 spatial neighbours.
Both follow `slowfast/models/temporal_shift.py` of the original code channel for channel, including
its quirks: the temporal shift groups frames in segments of `segment` frames (the original's
`XVIT.NUM_SEGMENTS`, 8, even for 16-frame clips), and the four diagonal directions of the spatial
shift keep the unshifted value on the border instead of zero.
"""

from __future__ import annotations

import torch
from torch import nn

# (dy, dx, zero_border): out[y, x] = src[y + dy, x + dx]; border cells are zero or keep src[y, x]
_DIRECTIONS = {
    1: [(1, 0, True), (-1, 0, True), (0, 1, True), (0, -1, True),
        (-1, -1, False), (1, 1, False), (-1, 1, False), (1, -1, False)],
}
_DIRECTIONS[2] = [(2 * dy, 2 * dx, z) for dy, dx, z in _DIRECTIONS[1]] + [
    (-2, -1, False), (-2, 1, False), (-1, -2, False), (1, -2, False),
    (2, -1, False), (2, 1, False), (-1, 2, False), (1, 2, False),
    (1, 0, False), (-1, 0, False), (0, 1, False), (0, -1, False),
    (-1, -1, False), (1, 1, False), (-1, 1, False), (1, -1, False),
]


def _span(offset: int, size: int) -> tuple[slice, slice]:
    """Destination and source slices along one axis for out[i] = src[i + offset]."""
    if offset >= 0:
        return slice(0, size - offset), slice(offset, size)
    return slice(-offset, size), slice(0, size + offset)


class TemporalShift(nn.Module):
    """Shift 1/div of the channels one frame back and 1/div one frame forward (zero padded)."""

    def __init__(self, segment: int, div: int = 8) -> None:
        super().__init__()
        self.segment, self.div = segment, div

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # x: (b t), n, h, e -> b', segment, n, (h e); channels ordered head-major as in the original
        bt, n, h, e = x.shape
        x = x.reshape(bt // self.segment, self.segment, n, h * e)
        fold = h * e // self.div
        out = torch.zeros_like(x)
        out[:, :-1, :, :fold] = x[:, 1:, :, :fold]
        out[:, 1:, :, fold:2 * fold] = x[:, :-1, :, fold:2 * fold]
        out[:, :, :, 2 * fold:] = x[:, :, :, 2 * fold:]
        return out.reshape(bt, n, h, e)


class SpatialShift(nn.Module):
    """Shift channel groups from the (2s+1)^2 - 1 spatial neighbours of each token (s = shift_size)."""

    def __init__(self, grid: int, shift_size: int = 1) -> None:
        super().__init__()
        if shift_size not in _DIRECTIONS:
            raise ValueError(f"shift_size: expected 1 or 2, got {shift_size}")
        self.grid, self.shift_size = grid, shift_size

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # x: (b hw), t, h, e -> b, H, W, t, (h e)
        bn, t, h, e = x.shape
        g = self.grid
        x = x.reshape(bn // (g * g), g, g, t, h * e)
        directions = _DIRECTIONS[self.shift_size]
        fold = h * e // (2 * len(directions))
        out = x.clone()
        for i, (dy, dx, zero_border) in enumerate(directions):
            # fold 4..: the original copies them unshifted first, so the border keeps its value
            chans = slice(i * fold, (i + 1) * fold)
            if zero_border:
                out[..., chans] = 0
            (ydst, ysrc), (xdst, xsrc) = _span(dy, g), _span(dx, g)
            out[:, ydst, xdst, :, chans] = x[:, ysrc, xsrc, :, chans]
        return out.reshape(bn, t, h, e)
