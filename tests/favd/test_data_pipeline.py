"""Frames and audio as the original prepares them: the random training crop (one window per clip), the central
evaluation crop and the shorter-side resize with its integer truncation, the random gain at evaluation too, and
the mp4 route of the original's inference (frames spread uniformly over the decoded clip)."""

import random
from pathlib import Path

import av
import numpy as np
import pytest
import torch
from PIL import Image

from favd.data import FAVDDataset, crop_and_normalise, read_video_frames, resize_shorter_side
from favd.synthetic import generate_dataset
from favd.tensorize import CaptionTensorizer
from favd.tokenizer import WordPiece


def ramp(w: int, h: int) -> Image.Image:
    """Red = column index, green = row index: a crop's offset can be read back from its first pixel."""
    x = np.zeros((h, w, 3), dtype=np.uint8)
    x[..., 0] = np.arange(w)[None, :]
    x[..., 1] = np.arange(h)[:, None]
    return Image.fromarray(x)


def offset(frames: torch.Tensor) -> tuple[int, int]:
    """(left, top) of a crop of `ramp` images after ImageNet normalisation."""
    px = frames[0, :2, 0, 0] * torch.tensor([0.229, 0.224]) + torch.tensor([0.485, 0.456])
    return round(px[0].item() * 255), round(px[1].item() * 255)


def test_resize_truncates_the_longer_side_as_the_original() -> None:
    assert resize_shorter_side(ramp(35, 33), 32).size == (33, 32)  # int(32 * 35 / 33) = int(33.9)
    assert resize_shorter_side(ramp(33, 70), 32).size == (32, 67)
    img = ramp(40, 32)
    assert resize_shorter_side(img, 32) is img  # already at size: untouched


def test_centre_crop_rounds_the_offset_as_the_original() -> None:
    assert offset(crop_and_normalise([ramp(35, 32)] * 2, 32, None)) == (2, 0)  # round(1.5) = 2
    assert offset(crop_and_normalise([ramp(37, 37)] * 2, 32, None)) == (2, 2)  # round(2.5) = 2


def test_training_crop_is_random_with_one_window_for_all_frames() -> None:
    frames = [ramp(48, 40) for _ in range(3)]
    seen = set()
    for seed in range(6):
        out = crop_and_normalise(frames, 32, random.Random(seed))
        expected = random.Random(seed)
        left, top = expected.randint(0, 16), expected.randint(0, 8)
        assert offset(out) == (left, top)
        assert all(offset(out[i:]) == (left, top) for i in range(3))  # the same window in every frame
        seen.add((left, top))
    assert len(seen) > 3


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_dataset(tmp_path_factory.mktemp("favd"), num_train=2, num_test=6, num_frames=4, size=40,
                            sample_rate=8000, seconds=0.5, seed=0)


def dataset(root: Path, **kwargs) -> FAVDDataset:
    tz = CaptionTensorizer(WordPiece(root / "vocab.txt"), 39, 24, is_train=False)
    return FAVDDataset(root, "test", tz, num_frames=4, img_res=32, sample_rate=8000, clip_seconds=0.5,
                       training=False, **kwargs)


def test_training_items_are_cropped_at_random(root: Path) -> None:
    tz = CaptionTensorizer(WordPiece(root / "vocab.txt"), 39, 24, rng=random.Random(0))
    train = FAVDDataset(root, "train", tz, num_frames=4, img_res=32, sample_rate=8000, clip_seconds=0.5,
                        training=True, seed=0)
    vid = train.clips[0].vid
    for i in range(1, 5):  # wide frames, as real video: the crop moves along the width (the height is resized to 32)
        ramp(64, 40).save(root / "frames" / "train-4frames" / f"{vid}_frame{i:04d}.png")
        (root / "frames" / "train-4frames" / f"{vid}_frame{i:04d}.png").rename(
            root / "frames" / "train-4frames" / f"{vid}_frame{i:04d}.jpg")
    draws = [train[0]["frames"] for _ in range(6)]
    assert all(d.shape == (4, 3, 32, 32) for d in draws)
    assert sum(not torch.equal(draws[0], d) for d in draws[1:]) >= 3


def test_evaluation_applies_the_random_gain_repeatably(root: Path) -> None:
    plain, gained, again = dataset(root, eval_gain=False), dataset(root, seed=3), dataset(root, seed=3)
    gains = []
    for i in range(len(plain)):
        raw, loud = plain[i]["audio"], gained[i]["audio"]
        assert torch.equal(loud, again[i]["audio"])  # same seed, same gain
        db = 20 * torch.log10(loud.abs().max() / raw.abs().max()).item()
        assert abs(db - round(db)) < 1e-3 and -7 <= round(db) <= 6
        gains.append(round(db))
    assert len(set(gains)) > 1 and any(g != 0 for g in gains)


def write_mp4(path: Path, brightness: list[int], size: int = 48) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=10)
        stream.width = stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.options = {"qscale": "1"}
        for b in brightness:
            frame = av.VideoFrame.from_ndarray(np.full((size, size, 3), b, dtype=np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


def test_video_route_samples_frames_uniformly(tmp_path: Path) -> None:
    write_mp4(tmp_path / "v.mp4", [20 * i for i in range(10)])
    frames = read_video_frames(tmp_path / "v.mp4", 4)  # linspace(0, 9, 4) truncated: frames 0, 3, 6, 9
    levels = [int(np.asarray(f).mean().round()) for f in frames]
    assert [round(v / 20) for v in levels] == [0, 3, 6, 9]


def test_evaluation_set_reads_the_mp4_route(root: Path) -> None:
    for clip in dataset(root).clips:
        write_mp4(root / "videos" / "test" / f"{clip.vid}.mp4", [60, 90, 120, 150, 180])
    item = dataset(root, frames_from="video")[0]
    assert item["frames"].shape == (4, 3, 32, 32)
    grey = item["frames"] * torch.tensor([0.229, 0.224, 0.225])[:, None, None] + torch.tensor([0.485, 0.456, 0.406])[
        :, None, None]
    levels = (grey.mean(dim=(1, 2, 3)) * 255).round().tolist()  # frames 0, 1, 2, 4 of five (linspace(0, 4, 4))
    assert [round(v / 30) for v in levels] == [2, 3, 4, 6]
    with pytest.raises(ValueError, match="data.eval_frames"):
        dataset(root, frames_from="avi")
