"""`prepare --dataset ssv2`: the official release's JSON files and `.webm` videos into the original's
`{train,val}_videofolder.txt` lists (TSM's gen_label_sthv2.py rule), which the reader then takes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from video_linear.config import DataConfig
from video_linear.data import VideoClips, decode_video
from video_linear.prepare import main
from video_linear.synthetic import render, write_video

# the release's labels.json: template (brackets removed) -> index as a string, not in index order here
LABELS = {"Pushing something from left to right": "1", "Putting something on something": "2",
          "Approaching something with your camera": "0"}
TRAIN = [  # id, template, frames (None: the video is not on disk)
    ("1001", "Putting [something] on [something]", 17),
    ("1002", "Pushing [something] from left to right", 24),
    ("1003", "Approaching [something] with your camera", None),
]
VALIDATION = [("2001", "Approaching [something] with your camera", 11)]


def release(tmp_path: Path, prefix: str = "") -> tuple[Path, Path]:
    ann, videos = tmp_path / "labels", tmp_path / "20bn-something-something-v2"
    ann.mkdir()
    videos.mkdir()
    (ann / f"{prefix}labels.json").write_text(json.dumps(LABELS))
    rng = np.random.default_rng(0)
    for name, rows in (("train", TRAIN), ("validation", VALIDATION)):
        entries = [{"id": vid, "label": template.replace("[something]", "a cup").lower(), "template": template,
                    "placeholders": ["a cup"]} for vid, template, _ in rows]
        (ann / f"{prefix}{name}.json").write_text(json.dumps(entries))
        for vid, _, frames in rows:
            if frames:
                write_video(videos / f"{vid}.webm", render(rng, 0, frames, 32), fps=12, codec="libvpx-vp9")
    return ann, videos


@pytest.mark.parametrize("prefix", ["", "something-something-v2-"])  # Qualcomm's names and 20BN's
def test_ssv2_lists_follow_the_original_rule_and_load(tmp_path: Path, prefix: str, capsys) -> None:
    ann, videos = release(tmp_path, prefix)
    root = tmp_path / "data" / "ssv2"
    assert main(["--dataset", "ssv2", "--videos", str(videos), "--annotations", str(ann), "--root", str(root)]) == 0
    # the template's index, the shown frames; the missing video left out and counted
    assert (root / "train_videofolder.txt").read_text() == "1001 17 2\n1002 24 1\n"
    assert (root / "val_videofolder.txt").read_text() == "2001 11 0\n"
    assert "'missing': 1" in capsys.readouterr().out
    for vid, frames in (("1001", 17), ("1002", 24), ("2001", 11)):  # the count is what a decoder gives
        assert decode_video(root / "videos" / f"{vid}.webm")[0].shape[0] == frames
    cfg = DataConfig(dataset="ssv2", root=str(root), num_frames=4, train_jitter_scales=(32, 40), train_crop_size=32,
                     test_crop_size=32, num_views=1, num_crops=1)
    train = VideoClips(cfg, "train", num_classes=3)
    assert [train[i][1] for i in range(len(train))] == [2, 1]
    assert VideoClips(cfg, "test", num_classes=3)[0][1] == 0


def test_a_template_labels_json_does_not_know_is_named(tmp_path: Path, capsys) -> None:
    ann, videos = release(tmp_path)
    entries = json.loads((ann / "train.json").read_text())
    entries[1]["template"] = "Spinning [something] so it continues spinning"
    (ann / "train.json").write_text(json.dumps(entries))
    code = main(["--dataset", "ssv2", "--videos", str(videos), "--annotations", str(ann), "--root", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code == 1 and "train.json: video '1002': field template" in err and "Spinning something so" in err
