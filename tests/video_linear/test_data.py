"""The Kinetics-layout reader, the original's sampling (golden/README.md) and the generated videos."""

from pathlib import Path

import pytest
import torch

from video_linear.data import (
    DataConfig,
    DataError,
    VideoClips,
    decode_video,
    get_start_end_idx,
    read_video_list,
    short_side_scale,
    temporal_indices,
    uniform_crop,
)
from video_linear.synthetic import generate

GOLDEN = torch.load(Path(__file__).parent / "golden" / "golden.pt")


def test_temporal_sampling_matches_original():
    rows = []
    for video_size, clip_size in [(300, 256.0), (100, 256.0), (250, 128.0)]:
        for clip_idx in range(4):
            start, end = get_start_end_idx(video_size, clip_size, clip_idx, 4)
            rows.append(temporal_indices(video_size, start, end, 16))
    assert torch.equal(torch.stack(rows), GOLDEN["sampling/indices"])


def test_spatial_sampling_matches_original():
    frames = GOLDEN["sampling/frames"]
    scaled = short_side_scale(frames, 16)
    torch.testing.assert_close(scaled, GOLDEN["sampling/scaled"])
    for i in range(3):
        torch.testing.assert_close(uniform_crop(scaled, 16, i), GOLDEN[f"sampling/crop{i}"])
        torch.testing.assert_close(uniform_crop(frames.transpose(2, 3), 16, i), GOLDEN[f"sampling/crop_tall{i}"])


def test_csv_errors_name_file_line_and_field(tmp_path):
    with pytest.raises(DataError, match="train.csv: file not found"):
        read_video_list(tmp_path / "train.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("a.mp4 3\nb.mp4 dog\n")
    with pytest.raises(DataError, match=r"bad.csv:2: field label: expected an integer"):
        read_video_list(bad)
    bad.write_text("a.mp4 7\n")
    with pytest.raises(DataError, match=r"bad.csv:1: field label: expected 0..3"):
        read_video_list(bad, num_classes=4)
    bad.write_text("just_a_path\n")
    with pytest.raises(DataError, match=r"bad.csv:1: expected `path label`"):
        read_video_list(bad)
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a video")
    with pytest.raises(DataError, match="broken.mp4: cannot decode"):
        decode_video(broken)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("kinetics"), {"train": 4, "test": 2}, frames=24, size=32)


def test_generated_videos_read_through_the_reader(generated):
    frames, fps = decode_video(generated / "videos" / "train_0000.mp4")
    assert frames.shape == (24, 32, 32, 3) and frames.dtype == torch.uint8 and fps == pytest.approx(30)
    cfg = DataConfig(root=str(generated), num_frames=8, sampling_rate=2, train_jitter_scales=(32, 40),
                     train_crop_size=32, test_crop_size=32, num_views=2, num_crops=3)
    train = VideoClips(cfg, "train", num_classes=4)
    clip, label, index = train[1]
    assert clip.shape == (3, 8, 32, 32) and label == 1 and index == 1
    assert -1.0 <= clip.min() and clip.max() <= 1.0  # normalised with mean = std = 0.5
    test = VideoClips(cfg, "test", num_classes=4)
    assert len(test) == 2 * 6 and test.labels == [0] * 6 + [1] * 6  # views of a video are consecutive
    # view 4 of video 0: temporal view 1 (the clip's last part), spatial crop 1; deterministic
    torch.testing.assert_close(test[4][0], test[4][0])
    assert not torch.equal(test[0][0], test[3][0])  # different temporal views


def test_single_frame_clips_repeat_one_frame(generated):
    cfg = DataConfig(root=str(generated), num_frames=8, sampling_rate=2, test_crop_size=32, num_views=1,
                     num_crops=1, train_jitter_scales=(32, 32), single_frame=True)
    clip = VideoClips(cfg, "test")[0][0]
    assert torch.equal(clip, clip[:, :1].expand_as(clip))


def test_ssv2_segment_sampling_matches_original():
    from video_linear.data import segment_indices

    rows = [torch.tensor(segment_indices(length, 16, mode, tidx or 0))
            for length in (48, 17, 121) for mode, tidx in (("val", None), ("test", 0), ("test", 1), ("test", 2))]
    assert torch.equal(torch.stack(rows), GOLDEN["sampling/ssv2_indices"])


def test_ssv2_layout(tmp_path):
    import numpy as np

    from video_linear.synthetic import render, write_video

    (tmp_path / "videos").mkdir()
    rng = np.random.default_rng(0)
    for vid, label in (("101", 2), ("7", 0)):
        write_video(tmp_path / f"{vid}.mp4", render(rng, label, 20, 32))
        (tmp_path / f"{vid}.mp4").rename(tmp_path / "videos" / f"{vid}.webm")  # the decoder probes the content
    (tmp_path / "train_videofolder.txt").write_text("101 20 2\n7 20 0\n")
    (tmp_path / "val_videofolder.txt").write_text("7 20 0\n")
    cfg = DataConfig(dataset="ssv2", root=str(tmp_path), num_frames=4, train_jitter_scales=(32, 40),
                     train_crop_size=32, test_crop_size=32, num_views=2, num_crops=3)
    train = VideoClips(cfg, "train", num_classes=4)
    assert len(train) == 2 and train[0][0].shape == (3, 4, 32, 32) and train[0][1] == 2
    test = VideoClips(cfg, "test", num_classes=4)  # SSv2 tests on the validation list
    assert len(test) == 6 and test[5][1] == 0
    (tmp_path / "val_videofolder.txt").write_text("7 20\n")
    with pytest.raises(DataError, match=r"val_videofolder.txt:1: expected `video_id num_frames label`"):
        VideoClips(cfg, "val")


def test_autoaugment_is_synchronised_over_frames():
    import random

    from video_linear.data import ClipAutoAugment

    frame = torch.randint(0, 256, (1, 32, 32, 3), dtype=torch.uint8)
    aug = ClipAutoAugment(translate_const=14)
    random.seed(3)
    outs = [aug(frame.expand(6, -1, -1, -1).contiguous()) for _ in range(8)]
    assert all(torch.equal(o, o[:1].expand_as(o)) for o in outs)  # one draw per clip
    assert any(not torch.equal(o[:1], frame) for o in outs)  # and it does change clips


def test_torchcodec_and_pyav_give_the_same_clips(generated):
    cfg = DataConfig(root=str(generated), num_frames=8, sampling_rate=2, test_crop_size=32, num_views=2, num_crops=3)
    pyav = VideoClips(cfg, "test")
    codec = VideoClips(DataConfig(**{**cfg.__dict__, "decoder": "torchcodec"}), "test")
    for i in (0, 4, 11):
        a, b = pyav[i][0], codec[i][0]
        assert (a - b).abs().mean() < 0.02  # same frames; the two FFmpeg builds may round YUV->RGB differently


def test_training_clips_take_the_original_kinetics_augmentation(tmp_path):
    """xvit_augmentation: the multi-scale crop resized to the crop size; random_erasing: one box of zeros (the
    normalised mean) in every channel and frame."""
    import random as pyrandom

    from video_linear.config import DataConfig as Data
    from video_linear.data import VideoClips
    from video_linear.synthetic import write_kinetics_layout

    write_kinetics_layout(tmp_path, {"train": 1}, num_classes=3, frames=12, height=60, width=80)
    cfg = Data(root=str(tmp_path), num_frames=4, sampling_rate=2, train_crop_size=32, xvit_augmentation=True,
               random_erasing=1.0)
    pyrandom.seed(0)
    clip, _, _ = VideoClips(cfg, "train", 3)[0]
    assert clip.shape == (3, 4, 32, 32)
    zero = (clip == 0).all(0).all(0)  # the erased box, the same in every channel and frame
    assert 0.02 * 32 * 32 <= int(zero.sum()) <= 32 * 32 / 3 + 32
