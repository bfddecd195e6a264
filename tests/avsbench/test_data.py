"""The reader on a generated dataset in the official layouts, and its errors on bad files."""

from __future__ import annotations

import pickle

import pytest
import torch

from avsbench.data import AVSDataset, DataError, audio_path, frame_path, mask_path, read_clips
from avsbench.synthetic import generate

CLIPS = {"train": 2, "val": 1, "test": 1}


@pytest.fixture(scope="module")
def s4_root(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("s4") / "Single-source", "s4", CLIPS, image_size=32)


@pytest.fixture(scope="module")
def ms3_root(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("ms3") / "Multi-sources", "ms3", CLIPS, image_size=32)


def test_s4_layout_and_items(s4_root):
    clip = read_clips(s4_root, "s4", "train")[0]
    assert frame_path(s4_root, "s4", clip, 1) == (
        s4_root / "s4_data/visual_frames/train" / clip.category / clip.name / f"{clip.name}_1.png")
    assert audio_path(s4_root, "s4", clip, "audio_log_mel").is_file()
    train = AVSDataset(s4_root, "s4", "train", image_size=32)
    item = train[0]
    assert item["frames"].shape == (5, 3, 32, 32)
    assert item["log_mel"].shape == (5, 1, 96, 64)
    assert item["masks"].shape == (1, 1, 32, 32)  # S4 training: the first frame only
    assert set(item["masks"].unique().tolist()) == {0.0, 1.0}
    assert AVSDataset(s4_root, "s4", "test", image_size=32)[0]["masks"].shape == (5, 1, 32, 32)
    assert AVSDataset(s4_root, "s4", "train", image_size=64)[0]["frames"].shape == (5, 3, 64, 64)  # resized


def test_wav_audio_gives_the_same_examples_as_the_log_mel_pickles(s4_root):
    from_pickle = AVSDataset(s4_root, "s4", "val", image_size=32)[0]["log_mel"]
    from_wav = AVSDataset(s4_root, "s4", "val", image_size=32, audio="wav")[0]["log_mel"]
    assert torch.equal(from_pickle, from_wav)


def test_ms3_layout_has_no_split_folder_for_frames(ms3_root):
    clip = read_clips(ms3_root, "ms3", "train")[0]
    assert frame_path(ms3_root, "ms3", clip, 3) == ms3_root / "ms3_data/visual_frames" / clip.name / f"{clip.name}.mp4_3.png"
    assert mask_path(ms3_root, "ms3", clip, 5).is_file()
    assert AVSDataset(ms3_root, "ms3", "train", image_size=32)[0]["masks"].shape == (5, 1, 32, 32)


def test_errors_name_file_and_expectation(s4_root, tmp_path):
    ds = AVSDataset(s4_root, "s4", "val", image_size=32)
    clip = ds.clips[0]
    frame = frame_path(s4_root, "s4", clip, 2)
    moved = frame.with_suffix(".bak")
    frame.rename(moved)
    try:
        with pytest.raises(DataError, match=f"{frame.name}.*missing video frame"):
            ds[0]
    finally:
        moved.rename(frame)
    pkl = audio_path(s4_root, "s4", clip, "audio_log_mel")
    original = pkl.read_bytes()
    pkl.write_bytes(pickle.dumps(torch.zeros(3, 1, 96, 64)))
    try:
        with pytest.raises(DataError, match=r"expected \(5, 1, 96, 64\)"):
            ds[0]
    finally:
        pkl.write_bytes(original)
    with pytest.raises(DataError, match="s4_meta_data.csv: missing"):
        read_clips(tmp_path, "s4", "train")
    (tmp_path / "s4_meta_data.csv").write_text("name,start,category\na,0,b\n")
    with pytest.raises(DataError, match="no 'split' column"):
        read_clips(tmp_path, "s4", "train")
    with pytest.raises(DataError, match="no clips with split == 'nope'"):
        AVSDataset(s4_root, "s4", "nope")
