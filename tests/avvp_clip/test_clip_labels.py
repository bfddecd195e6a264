"""The CLIP step on CPU with a tiny randomly initialised open_clip model, on frames in the LLP layout."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from avvp_clip.clip_labels import ClipScorer, class_prompts, extract, segment_frames, video_frames

TINY = {"embed_dim": 32,
        "vision_cfg": {"image_size": 32, "layers": 1, "width": 32, "head_width": 16, "patch_size": 16},
        "text_cfg": {"context_length": 77, "vocab_size": 49408, "width": 32, "heads": 2, "layers": 1}}


@pytest.fixture(scope="module")
def scorer(tmp_path_factory: pytest.TempPathFactory) -> ClipScorer:
    import open_clip

    path = tmp_path_factory.mktemp("clipcfg") / "avvp-tiny-clip.json"
    path.write_text(json.dumps(TINY))
    open_clip.add_model_config(path)
    return ClipScorer("avvp-tiny-clip", pretrained=None)


def write_frames(folder: Path, count: int, seed: int) -> None:
    folder.mkdir(parents=True)
    rng = np.random.RandomState(seed)
    for i in range(count):
        Image.fromarray(rng.randint(0, 255, (24, 40, 3), dtype=np.uint8)).save(folder / f"{i + 1:06d}.jpg")


def test_prompts_use_readable_class_names() -> None:
    prompts = class_prompts()
    assert len(prompts) == 25
    assert prompts[5] == "A photo of Frying (food)." and prompts[0] == "A photo of Speech."


def test_one_frame_per_second_from_8_fps_frames(tmp_path: Path) -> None:
    write_frames(tmp_path / "v", 20, seed=0)
    frames = segment_frames(tmp_path / "v")
    assert [f.name for f in frames[:3]] == ["000005.jpg", "000013.jpg", "000020.jpg"]  # short video: clamped
    assert len(frames) == 10
    with pytest.raises(FileNotFoundError, match="no .jpg frames"):
        segment_frames(tmp_path / "missing")


def test_extract_writes_class_probabilities_per_segment(scorer: ClipScorer, tmp_path: Path) -> None:
    names = ["abcdefghijk_0_10", "bcdefghijkl_30_40"]
    for i, name in enumerate(names):
        write_frames(tmp_path / "frame" / name, 80, seed=i)
    assert extract(scorer, tmp_path / "frame", names, tmp_path / "clip") == 2
    prob = np.load(tmp_path / "clip" / "abcdefghijk.npy")
    assert prob.shape == (10, 25) and prob.dtype == np.float32
    np.testing.assert_allclose(prob.sum(-1), 1.0, atol=1e-5)
    assert extract(scorer, tmp_path / "frame", names, tmp_path / "clip") == 0  # existing files are kept


def test_missing_checkpoint_is_reported() -> None:
    with pytest.raises(FileNotFoundError, match="expected a local"):
        ClipScorer("ViT-B-32", pretrained="/nonexistent/ViT-B-32.pt")


def write_video(path: Path, seconds: int = 10, fps: int = 8) -> None:
    """A tiny mp4 whose frame at second t is a flat grey level 20 * t."""
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 32, 32, "yuv420p"
        for i in range(seconds * fps):
            image = np.full((32, 32, 3), 20 * (i // fps), dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def test_video_decoding_takes_the_middle_of_each_second(scorer: ClipScorer, tmp_path: Path) -> None:
    write_video(tmp_path / "abcdefghijk_0_10.mp4")
    frames = video_frames(tmp_path / "abcdefghijk_0_10.mp4")
    levels = [int(np.asarray(f).mean().round()) for f in frames]
    assert len(frames) == 10
    assert all(abs(level - 20 * t) <= 3 for t, level in enumerate(levels)), levels
    n = extract(scorer, None, ["abcdefghijk_0_10"], tmp_path / "clip", videos_root=tmp_path,
                embeddings_dir=tmp_path / "emb")
    assert n == 1 and np.load(tmp_path / "emb" / "abcdefghijk.npy").shape == (10, 32)
