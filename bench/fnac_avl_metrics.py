"""cIoU/AUC evaluation: fnac_avl.metrics (one pass per image with np.partition) against the original's per-image loop
(utils.Evaluator with a full np.sort per image for the median threshold, reimplemented here as the
reference), on the same random heatmaps and box maps. Prints `name, size, ours, baseline, ratio` rows
(bench/timing.py: median of alternating repeats; ratio = baseline / ours).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/timing.py
from timing import compare, print_header, print_row  # noqa: E402

from fnac_avl.metrics import boxes_to_gt_map, localization_scores  # noqa: E402


def reference(heatmaps: np.ndarray, gt_maps: np.ndarray) -> dict[str, float]:
    cious = []
    for pred, gt in zip(heatmaps, gt_maps, strict=True):
        lo, hi = pred.min(), pred.max()
        if hi - lo != 0:
            pred = (pred - lo) / (hi - lo)
        thr = np.sort(pred.flatten())[int(pred.shape[0] * pred.shape[1] / 2)]
        infer = np.zeros((224, 224))
        infer[pred >= thr] = 1
        cious.append(np.sum(infer * gt) / (np.sum(gt) + np.sum(infer * (gt == 0))))
    cious = np.array(cious)
    success = [np.sum(cious >= 0.05 * i) / len(cious) for i in range(21)]
    return {"cIoU": float(np.mean(cious >= 0.5)), "AUC": float(np.trapezoid(success, [0.05 * i for i in range(21)]))}


def main() -> None:
    rng = np.random.default_rng(0)
    print_header()
    for n in (250, 1000):
        heat = rng.random((n, 224, 224)).astype(np.float32)
        boxes = [np.sort(rng.integers(0, 224, (2, 2)), axis=0).reshape(-1) for _ in range(n)]  # xmin, ymin, xmax, ymax
        gts = np.stack([boxes_to_gt_map([b], "vggss") for b in boxes])
        ours, ref = localization_scores(heat, gts), reference(heat, gts)
        assert abs(ours["cIoU"] - ref["cIoU"]) < 1e-12 and abs(ours["AUC"] - ref["AUC"]) < 1e-9
        t_ours, t_ref = compare(lambda h=heat, g=gts: localization_scores(h, g), lambda h=heat, g=gts: reference(h, g),
                                repeats=3, warmup=0)
        print_row("localization_scores", f"{n} maps", t_ours, t_ref)


if __name__ == "__main__":
    main()
