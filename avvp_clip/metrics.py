"""Audio-visual video parsing metrics: segment-level and event-level F-scores, Type@AV and Event@AV.

Equal to the evaluation of YapengTian/AVVP-ECCV20 (utils/eval_metrics.py: `segment_level`, `event_level`,
`extract_event`, `event_wise_metric`; averaged as in main_avvp.py `eval`), vectorised over videos:

- per video and per class, F = 2TP / (2TP + FN + FP); classes with neither a prediction nor a ground
  truth are left out; the video's score is the mean over the remaining classes, or 1.0 when none remain
  (all true negatives); the reported score is the mean over videos, in percent;
- audio-visual: prediction audio AND visual, ground truth audio AND visual;
- Event@AV ("F"): per class, the audio and visual TP/FN/FP counts are added before F is taken;
  Type@AV: the mean of the audio, visual and audio-visual scores;
- event level: an event is a run of consecutive positive segments of one class; a predicted event is a
  true positive when its IoU with any ground-truth event of that class is >= 0.5, else a false
  positive; a ground-truth event that no predicted event reaches is a false negative. (Several
  predictions may count on one ground-truth event: the matching is not one-to-one, as in the original.)
"""

from __future__ import annotations

import numpy as np

SCORE_ORDER = ("audio", "visual", "event_av", "av")  # column order of the original functions' return value


def _as_binary(x: np.ndarray, name: str) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim == 2:
        x = x[None]
    if x.ndim != 3:
        raise ValueError(f"{name}: expected a binary array (videos, classes, segments), got shape {x.shape}")
    if not np.isin(x, (0, 1)).all():
        raise ValueError(f"{name}: expected only 0/1 values")
    return x.astype(np.int64)


def _f_per_video(tp: np.ndarray, fn: np.ndarray, fp: np.ndarray) -> np.ndarray:
    """tp/fn/fp (N, C) -> mean F over the classes that have a prediction or a ground truth; 1.0 if none."""
    present = (tp + fn + fp) > 0
    f = np.where(present, 2 * tp / np.maximum(2 * tp + fn + fp, 1), 0.0)
    count = present.sum(1)
    return np.where(count > 0, f.sum(1) / np.maximum(count, 1), 1.0)


def _scores(counts: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]) -> np.ndarray:
    tp = counts["audio"][0] + counts["visual"][0]
    fn = counts["audio"][1] + counts["visual"][1]
    fp = counts["audio"][2] + counts["visual"][2]
    both = {**counts, "event_av": (tp, fn, fp)}
    return np.stack([_f_per_video(*both[k]) for k in SCORE_ORDER], axis=1)


def _segment_counts(pred: np.ndarray, gt: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (pred * gt).sum(-1), ((1 - pred) * gt).sum(-1), (pred * (1 - gt)).sum(-1)


def extract_events(seq: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Runs of ones along the last axis of a binary (..., T) array.

    Returns start (..., R), end (..., R) (exclusive) and valid (..., R), R = ceil(T / 2) the most runs.
    """
    lead, t = seq.shape[:-1], seq.shape[-1]
    rows = seq.reshape(-1, t)
    edges = np.diff(np.pad(rows, ((0, 0), (1, 1))), axis=1)  # +1 where a run starts, -1 after it ends
    r = (t + 1) // 2
    start = np.zeros((len(rows), r), dtype=np.int64)
    end = np.zeros((len(rows), r), dtype=np.int64)
    valid = np.zeros((len(rows), r), dtype=bool)
    for sign, out in ((1, start), (-1, end)):
        row, pos = np.nonzero(edges == sign)
        rank = np.cumsum(edges == sign, axis=1)[row, pos] - 1  # k-th run of its row
        out[row, rank] = pos
        if sign == 1:
            valid[row, rank] = True
    return start.reshape(*lead, r), end.reshape(*lead, r), valid.reshape(*lead, r)


def _event_counts(pred: np.ndarray, gt: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ps, pe, pv = extract_events(pred)  # N, C, R
    gs, ge, gv = extract_events(gt)
    inter = np.clip(np.minimum(pe[..., :, None], ge[..., None, :]) - np.maximum(ps[..., :, None], gs[..., None, :]),
                    0, None)  # N, C, R_pred, R_gt
    union = (pe - ps)[..., :, None] + (ge - gs)[..., None, :] - inter
    match = pv[..., :, None] & gv[..., None, :] & (inter >= 0.5 * union)
    tp = match.any(-1).sum(-1)
    fp = pv.sum(-1) - tp
    fn = (gv & ~match.any(-2)).sum(-1)
    return tp, fn, fp


def per_video_scores(pred_audio, pred_visual, gt_audio, gt_visual) -> dict[str, np.ndarray]:
    """Segment- and event-level scores per video, (N, 4) each, columns as the original's return value:
    audio, visual, Event@AV (audio and visual counts pooled), audio-visual; fractions in [0, 1]."""
    pa, pv = _as_binary(pred_audio, "pred_audio"), _as_binary(pred_visual, "pred_visual")
    ga, gv = _as_binary(gt_audio, "gt_audio"), _as_binary(gt_visual, "gt_visual")
    shapes = {pa.shape, pv.shape, ga.shape, gv.shape}
    if len(shapes) != 1:
        raise ValueError(f"pred_audio, pred_visual, gt_audio, gt_visual must share one shape, got {sorted(shapes)}")
    out = {}
    for level, counter in (("segment", _segment_counts), ("event", _event_counts)):
        counts = {"audio": counter(pa, ga), "visual": counter(pv, gv), "av": counter(pa * pv, ga * gv)}
        out[level] = _scores(counts)
    return out


def parse_scores(pred_audio, pred_visual, gt_audio, gt_visual) -> dict[str, float]:
    """The ten numbers main_avvp.py prints, in percent: `{seg,event}_{audio,visual,av,type_av,event_av}`.

    Arguments are binary arrays (N videos, C classes, T segments); a single video may be (C, T).
    """
    scores = per_video_scores(pred_audio, pred_visual, gt_audio, gt_visual)
    out = {}
    for level, prefix in (("segment", "seg"), ("event", "event")):
        mean = dict(zip(SCORE_ORDER, 100 * scores[level].mean(0), strict=True))
        out[f"{prefix}_audio"] = float(mean["audio"])
        out[f"{prefix}_visual"] = float(mean["visual"])
        out[f"{prefix}_av"] = float(mean["av"])
        out[f"{prefix}_type_av"] = float((mean["av"] + mean["audio"] + mean["visual"]) / 3)
        out[f"{prefix}_event_av"] = float(mean["event_av"])
    return out


def segment_predictions(frame_prob: np.ndarray, global_prob: np.ndarray, threshold: float = 0.5
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Binary (N, C, T) audio and visual predictions as main_avvp.py `eval` makes them: a segment is
    positive when its probability is >= 0.5 and the video-level probability of its class is >= 0.5.

    frame_prob (N, T, 2, C), global_prob (N, C).
    """
    frame_prob, global_prob = np.asarray(frame_prob), np.asarray(global_prob)
    video = (global_prob >= threshold)[:, None, :]  # N, 1, C
    audio = (frame_prob[:, :, 0] >= threshold) & video
    visual = (frame_prob[:, :, 1] >= threshold) & video
    return audio.transpose(0, 2, 1).astype(np.int64), visual.transpose(0, 2, 1).astype(np.int64)
