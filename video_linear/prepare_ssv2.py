"""Something-Something v2 lists in the layout the original reads, from the official release.

    python -m video_linear.prepare --dataset ssv2 --videos /path/to/20bn-something-something-v2 \\
        --annotations /path/to/labels

The release (Qualcomm, formerly 20BN) has the videos `<id>.webm` and four JSON files, named
`labels.json`, `train.json`, `validation.json`, `test.json` (or with the prefix `something-something-v2-`).
The original's lists come from TSM's `tools/gen_label_sthv2.py`: one `video_id num_frames label` line per
video, the label being the index that `labels.json` gives the video's template with its brackets removed,
and num_frames the number of frames extracted from the video. Here the frames are counted from the video's
packets (one per shown frame; the reader decodes the `.webm` itself and does not use the count). Videos
missing on disk are left out and counted. Validation is the test set, as in the original.
"""

from __future__ import annotations

import json
from pathlib import Path

import av
from tqdm import tqdm

from video_linear.data import DataError

SPLITS = {"train": "train", "val": "validation"}  # list name -> JSON name


def annotation_file(folder: Path, name: str) -> Path:
    for candidate in (folder / f"something-something-v2-{name}.json", folder / f"{name}.json"):
        if candidate.is_file():
            return candidate
    raise DataError(f"{folder}: neither something-something-v2-{name}.json nor {name}.json found "
                    "(expected the SSv2 release's label files)")


def read_label_index(path: Path) -> dict[str, int]:
    """template (brackets removed) -> class index, from `labels.json` ({"Approaching something ...": "0", ...})."""
    labels = json.loads(path.read_text())
    if not isinstance(labels, dict) or not labels:
        raise DataError(f"{path}: expected an object mapping each template to its class index")
    index = {}
    for template, value in labels.items():
        if not str(value).isdigit():
            raise DataError(f"{path}: field {template!r}: expected a class index, got {value!r}")
        index[template] = int(value)
    if sorted(index.values()) != list(range(len(index))):
        raise DataError(f"{path}: class indices are not 0..{len(index) - 1}, each once")
    return index


def label_of(entry: dict, index: dict[str, int], path: Path) -> int:
    template = entry.get("template")
    if not isinstance(template, str):
        raise DataError(f"{path}: video {entry.get('id')!r}: field template: expected a string, got {template!r}")
    key = template.replace("[", "").replace("]", "")
    if key not in index:
        raise DataError(f"{path}: video {entry.get('id')!r}: field template: {key!r} is not a class of labels.json")
    return index[key]


def count_frames(video: Path) -> int:
    """Shown frames of a video, from its packets (no decoding)."""
    try:
        with av.open(str(video)) as container:
            stream = container.streams.video[0]
            return sum(1 for packet in container.demux(stream) if packet.size > 0)
    except (av.error.FFmpegError, IndexError) as err:
        raise DataError(f"{video}: cannot read a video stream ({err})") from err


def write_lists(annotations: Path, videos: Path, root: Path, progress: bool = True) -> dict[str, dict[str, int]]:
    """ROOT/{train,val}_videofolder.txt and ROOT/videos (a link to `videos` unless it is that folder)."""
    index = read_label_index(annotation_file(annotations, "labels"))
    root.mkdir(parents=True, exist_ok=True)
    link = root / "videos"
    if not link.exists():
        link.symlink_to(videos.resolve(), target_is_directory=True)
    elif link.resolve() != videos.resolve():
        raise DataError(f"{link}: exists and is not {videos}; remove it or pass --root elsewhere")
    counts = {}
    for split, name in SPLITS.items():
        path = annotation_file(annotations, name)
        entries = json.loads(path.read_text())
        lines, missing = [], 0
        for entry in tqdm(entries, desc=f"ssv2 {split}", disable=not progress):
            label = label_of(entry, index, path)
            video = videos / f"{entry['id']}.webm"
            if not video.is_file():
                missing += 1
                continue
            lines.append(f"{entry['id']} {count_frames(video)} {label}")
        (root / f"{split}_videofolder.txt").write_text("\n".join(lines) + "\n")
        counts[split] = {"listed": len(lines), "missing": missing}
    return counts
