"""Lay out Kinetics-400/600 or Something-Something v2 as the reader expects (needs the downloaded videos).

    python -m video_linear.prepare --dataset kinetics400 --root data/kinetics400 --videos /path/to/k400 \\
        --annotations /path/to/k400/annotations
    python -m video_linear.prepare --dataset ssv2 --videos /path/to/20bn-something-something-v2 \\
        --annotations /path/to/labels                  (video_linear/prepare_ssv2.py)

Sources: the Kinetics-400/600 annotation CSVs (https://github.com/cvdfoundation/kinetics-dataset,
columns `label,youtube_id,time_start,time_end,split`) and the clips themselves (CVDF mirror, or
youtube-dl of `youtube_id` cut to [time_start, time_end]). The original code trains on 256-short-side
re-encodes (its `downscale_video_joblib.py`). This script writes ROOT/{train,val,test}.csv with one
`/absolute/path.mp4 class_id` line per clip that exists on disk (class ids: the sorted class names;
the original's `generate_kinect400_csv.py` took ids from its own lists and wrote `path,label`, which
the reader also takes with `--set data.separator=,`), and ROOT/classes.txt. As in the original,
Kinetics' validation set is used as the test set (4 temporal x 3 spatial views).
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from shared import paths

SPLITS = {"train": "train.csv", "val": "validate.csv", "test": "validate.csv"}


def clip_name(row: dict) -> str:
    return f"{row['youtube_id']}_{int(float(row['time_start'])):06d}_{int(float(row['time_end'])):06d}.mp4"


def write_lists(annotations: Path, videos: Path, root: Path) -> dict[str, int]:
    rows = {}
    for split, name in SPLITS.items():
        path = annotations / name
        if not path.is_file():
            sys.exit(f"error: {path} not found (expected the Kinetics annotation CSV {name})")
        with path.open() as f:
            rows[split] = list(csv.DictReader(f))
    classes = sorted({r["label"] for r in rows["train"]})
    index = {c: i for i, c in enumerate(classes)}
    root.mkdir(parents=True, exist_ok=True)
    (root / "classes.txt").write_text("\n".join(classes) + "\n")
    counts = {}
    for split, split_rows in rows.items():
        lines = []
        for r in split_rows:
            rel = Path(r["split"] if r.get("split") else split) / clip_name(r)
            if (videos / rel).is_file():
                lines.append(f"{(videos / rel).resolve()} {index[r['label']]}")  # absolute: path_prefix unused
        (root / f"{split}.csv").write_text("\n".join(lines) + "\n")
        counts[split] = len(lines)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", choices=["kinetics400", "kinetics600", "ssv2"], default="kinetics400")
    parser.add_argument("--root", type=Path, default=None, help="where to write (default data/<dataset>)")
    parser.add_argument("--videos", type=Path, help="folder holding the downloaded clips (Kinetics: train/, validate/; "
                        "SSv2: <id>.webm)")
    parser.add_argument("--annotations", type=Path, help="folder holding the annotation files (Kinetics: train.csv, "
                        "validate.csv; SSv2: labels.json, train.json, validation.json)")
    args = parser.parse_args(argv)
    if args.videos is None or args.annotations is None:
        print(__doc__)
        print("error: downloading needs network access; fetch the clips and annotation CSVs first "
              "(sources above), then pass --videos and --annotations", file=sys.stderr)
        return 2
    args.root = args.root or paths.dataset(args.dataset)
    if args.dataset == "ssv2":
        from video_linear.data import DataError
        from video_linear.prepare_ssv2 import write_lists as write_ssv2_lists

        try:
            counts = write_ssv2_lists(args.annotations, args.videos, args.root)
        except DataError as err:
            print(f"error: {err}", file=sys.stderr)
            return 1
        print(f"ssv2: wrote {counts} under {args.root}")
        return 0
    counts = write_lists(args.annotations, args.videos, args.root)
    print(f"{args.dataset}: wrote {counts} under {args.root}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
