"""Pseudo-label scoring speed: our per-image confusion matrix against the original evaluation's algorithm.

The original (test_coco_pseudo.py) collects every label map as a list of rows (`preds += list(pseudo)`) and
runs one bincount per row; ours runs one per image. Same result, checked here. Rows: name, size, ours,
baseline, ratio (bench/timing.py: median of alternating repeats; ratio = baseline / ours).

    OMP_NUM_THREADS=1 python bench/sam_wsss_metrics.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from sam_wsss.metrics import accumulate, scores

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import compare, print_header, print_row  # noqa: E402


def original_algorithm(gts: list[np.ndarray], preds: list[np.ndarray], n_class: int) -> float:
    """The original's loop, reimplemented as the reference: one histogram per image row."""
    rows_gt = [row for g in gts for row in g]
    rows_pred = [row for p in preds for row in p]
    hist = np.zeros((n_class, n_class))
    for lt, lp in zip(rows_gt, rows_pred, strict=True):
        lt, lp = lt.flatten(), lp.flatten()
        mask = (lt >= 0) & (lt < n_class)
        hist += np.bincount(n_class * lt[mask].astype(int) + lp[mask], minlength=n_class**2).reshape(n_class, n_class)
    iu = np.diag(hist) / (hist.sum(axis=1) + hist.sum(axis=0) - np.diag(hist))
    return float(np.nanmean(iu[hist.sum(axis=1) > 0]))


def main() -> None:
    rng = np.random.default_rng(0)
    print_header()
    for n_images, n_class in ((100, 21), (100, 81)):
        gts = [rng.integers(0, n_class, (375, 500)).astype(np.int32) for _ in range(n_images)]
        for g in gts:
            g[:, :5] = 255
        preds = [rng.integers(0, n_class, (375, 500)).astype(np.int32) for _ in range(n_images)]
        ours = scores(accumulate(zip(gts, preds, strict=True), n_class))["miou"]
        ref = original_algorithm(gts, preds, n_class)
        assert abs(ours - ref) < 1e-12, (ours, ref)
        t_ours, t_ref = compare(lambda g=gts, p=preds, n=n_class: scores(accumulate(zip(g, p, strict=True), n)),
                                lambda g=gts, p=preds, n=n_class: original_algorithm(g, p, n), repeats=3)
        print_row(f"miou_{n_class}_classes", f"{n_images}x375x500", t_ours, t_ref)


if __name__ == "__main__":
    main()
