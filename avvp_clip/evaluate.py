"""Audio-visual video parsing scores of a checkpoint, or of a predictions file, on LLP val or test.

    python -m avvp_clip.evaluate --checkpoint runs/avvp_clip/full/vpl_full/best_model.pt --data-root data/llp [--split test]
    python -m avvp_clip.evaluate --checkpoint MMIL_Net.pt --data-root data/llp        # an original HAN checkpoint
    python -m avvp_clip.evaluate --predictions preds.npz --data-root data/llp
    python -m avvp_clip.evaluate --clip-threshold 0.04 --data-root data/llp   # the CLIP pseudo labels themselves

A checkpoint is our HAN state dict, a trainer checkpoint, train.py's best_model.pt, or an original MMIL_Net state dict.
A predictions file (.npz) holds `filenames` and either binary `pred_audio`, `pred_visual` (N, 25, 10) or the
model outputs `frame_prob` (N, 10, 2, 25) and `global_prob` (N, 25), which are thresholded as main_avvp.py
does (`--save-predictions` writes this format). `--clip-threshold` scores the visual pseudo labels made from
`feats/clip` (as visual and as audio predictions: read the visual scores). Prints the ten scores (percent) as JSON; `--out` writes them.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from avvp_clip import pseudo_labels
from avvp_clip.config import DataConfig
from avvp_clip.convert import convert_state_dict, infer_config
from avvp_clip.data import read_segment_annotations, read_video_labels
from avvp_clip.metrics import parse_scores, segment_predictions
from avvp_clip.model import HAN
from avvp_clip.train import load_split, predict


def load_model(path: str | Path) -> HAN:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: checkpoint not found")
    state = torch.load(path, map_location="cpu", weights_only=False)  # trusted: ours or the original's
    for key in ("model", "state"):  # a trainer checkpoint; train.py's best_model.pt
        if isinstance(state, dict) and isinstance(state.get(key), dict):
            state = state[key]
    if not isinstance(state, dict) or not any(k.removeprefix("module.") == "fc_prob.weight" for k in state):
        raise ValueError(f"{path}: expected a HAN/MMIL_Net state dict or a trainer checkpoint (key 'fc_prob.weight')")
    state = convert_state_dict(state)
    model = HAN(infer_config(state))
    model.load_state_dict(state, strict=True)
    return model.eval()


def predictions_from_file(path: str | Path, filenames: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Binary (N, 25, 10) audio and visual predictions of `filenames`, in that order."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: predictions file not found")
    data = np.load(path, allow_pickle=False)
    if "filenames" not in data:
        raise ValueError(f"{path}: field 'filenames' missing; expected filenames plus pred_audio/pred_visual "
                         f"or frame_prob/global_prob")
    order = {str(n): i for i, n in enumerate(data["filenames"])}
    missing = [n for n in filenames if n not in order]
    if missing:
        raise ValueError(f"{path}: field 'filenames' lacks {len(missing)} videos of the split, e.g. {missing[0]!r}")
    rows = np.array([order[n] for n in filenames])
    if "pred_audio" in data and "pred_visual" in data:
        return data["pred_audio"][rows], data["pred_visual"][rows]
    if "frame_prob" in data and "global_prob" in data:
        return segment_predictions(data["frame_prob"][rows], data["global_prob"][rows])
    raise ValueError(f"{path}: expected fields pred_audio and pred_visual, or frame_prob and global_prob; "
                     f"found {sorted(data.files)}")


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--checkpoint", type=Path)
    source.add_argument("--predictions", type=Path)
    source.add_argument("--clip-threshold", type=float, help="score the CLIP pseudo labels at this threshold")
    parser.add_argument("--data-root", type=Path, default=None, help="the LLP folder (CSVs, feats/; default data/llp)")
    parser.add_argument("--split", choices=("val", "test"), default="test")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--save-predictions", type=Path, default=None, help="write the model outputs (.npz)")
    parser.add_argument("--out", type=Path, default=None, help="write the scores as JSON")
    args = parser.parse_args(argv)

    data = DataConfig() if args.data_root is None else DataConfig(root=str(args.data_root))
    csv = data.test_csv if args.split == "test" else data.val_csv
    if args.checkpoint is not None:
        dataset, gt_a, gt_v = load_split(data, csv, with_annotations=True)
        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        out = predict(load_model(args.checkpoint).to(device), dataset, args.batch_size, device)
        if args.save_predictions is not None:
            np.savez_compressed(args.save_predictions, filenames=np.array(dataset.filenames), **out)
        pred_a, pred_v = segment_predictions(out["frame_prob"], out["global_prob"])
    elif args.clip_threshold is not None:
        dataset, gt_a, gt_v = load_split(data, csv, with_annotations=True)
        labels = pseudo_labels.generate(torch.from_numpy(dataset.read_clip_probs()), torch.from_numpy(dataset.labels),
                                        args.clip_threshold)
        pred_a = pred_v = labels.numpy().transpose(0, 2, 1).astype(np.int64)  # N, C, T
    else:
        filenames, _ = read_video_labels(data.path(csv))
        gt_a = read_segment_annotations(data.path(data.eval_audio_csv), filenames)
        gt_v = read_segment_annotations(data.path(data.eval_visual_csv), filenames)
        pred_a, pred_v = predictions_from_file(args.predictions, filenames)
    scores = parse_scores(pred_a, pred_v, gt_a, gt_v)
    text = json.dumps(scores, indent=1)
    print(text)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    return scores


if __name__ == "__main__":
    main()
