"""Charades frame lists: reader errors, the original's sampling (golden) and a multi-label training step."""

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from shared.optim import OptimConfig
from shared.trainer import TrainerConfig
from video_linear.charades import CharadesClips, charades_indices, load_frame_lists
from video_linear.config import DataConfig, ModelConfig, VideoConfig
from video_linear.data import DataError
from video_linear.train import run

GOLDEN = torch.load(Path(__file__).parent / "golden" / "golden.pt")
HEADER = "original_vido_id video_id frame_id path labels"


def test_test_view_sampling_matches_original():
    rows = [torch.tensor(charades_indices(length, 16, 8, view, 10))
            for length in (200, 60, 121) for view in range(10) for _ in range(3)]
    assert torch.equal(torch.stack(rows), GOLDEN["sampling/charades_indices"])


def write_frames(root: Path, videos: dict[str, list[str]]) -> None:
    """JPEG frames + frame lists in the original's layout; `videos[name]` = label field per frame."""
    rng = np.random.default_rng(0)
    lines = [HEADER]
    for v, (name, labels) in enumerate(videos.items()):
        (root / name).mkdir(parents=True)
        for i, label in enumerate(labels):
            Image.fromarray(rng.integers(0, 255, (24, 32, 3), dtype=np.uint8)).save(root / name / f"{i:06d}.jpg")
            lines.append(f"{name} {v} {i} {name}/{i:06d}.jpg {label}")
    for split in ("train", "val"):
        (root / f"{split}.csv").write_text("\n".join(lines) + "\n")


def test_reader_labels_and_views(tmp_path):
    write_frames(tmp_path, {"AAA": ['"1,2"'] * 3 + ['""'] * 9, "BBB": ['"0"'] * 12})
    videos = load_frame_lists(tmp_path / "train.csv", tmp_path)
    assert [v[0] for v in videos] == ["AAA", "BBB"] and videos[0][2][:4] == [[1, 2]] * 3 + [[]]
    cfg = DataConfig(dataset="charades", root=str(tmp_path), num_frames=4, sampling_rate=2, num_views=2,
                     num_crops=3, test_crop_size=16, train_jitter_scales=(16, 20), train_crop_size=16)
    test = CharadesClips(cfg, "test", num_classes=4)
    clip, label, index = test[1]
    assert len(test) == 12 and clip.shape == (3, 4, 16, 16) and index == 1
    assert label.tolist() == [0, 1, 1, 0]  # video level: union over all frames
    train = CharadesClips(cfg, "train", num_classes=4)
    assert train[1][1].tolist() == [1, 0, 0, 0]
    (tmp_path / "train.csv").write_text(HEADER + "\nAAA 0 0 AAA/000000.jpg \"x\"\n")
    with pytest.raises(DataError, match=r"train.csv:2: field labels"):
        load_frame_lists(tmp_path / "train.csv", tmp_path)
    (tmp_path / "train.csv").write_text("AAA 0 0 AAA/000000.jpg 1\n")
    with pytest.raises(DataError, match=r"train.csv:1: expected the header"):
        load_frame_lists(tmp_path / "train.csv", tmp_path)


def test_multi_label_training_reports_map(tmp_path):
    write_frames(tmp_path / "data", {"AAA": ['"1,2"'] * 6, "BBB": ['"0"'] * 6, "CCC": ['"3"'] * 6})
    cfg = VideoConfig(
        model=ModelConfig(num_classes=4, img_size=16, patch_size=8, patch_stride=7, embed_dim=16, depth=1,
                          num_heads=2, mlp_ratio=1.0, num_frames=4, embed_frames=4, shift_segment=4,
                          shift_layers=[0], head_hidden=16),
        data=DataConfig(dataset="charades", root=str(tmp_path / "data"), num_frames=4, sampling_rate=1, num_views=2,
                        num_crops=1, test_crop_size=16, train_jitter_scales=(16, 18), train_crop_size=16),
        multi_label=True, ensemble="max", eval_split="test",
        train=TrainerConfig(max_steps=2, batch_size=3, progress=False, ckpt_every=2,
                            optim=OptimConfig(name="sgd", lr=0.01)),  # the paper's optimizer: Nesterov SGD
    )
    results = run(cfg, tmp_path / "run")
    assert results["metric"] == "map" and 0.0 < results["ours"] <= 1.0



def test_one_test_view_is_refused_with_the_reason(tmp_path):
    """Found by the dryrun: the view spacing divides by num_views - 1 (the original's too)."""
    write_frames(tmp_path, {"vid0": ["1"] * 20})
    cfg = DataConfig(dataset="charades", root=str(tmp_path), num_frames=4, sampling_rate=2, num_views=1, num_crops=3)
    with pytest.raises(ValueError, match="num_views=1: Charades test views"):
        CharadesClips(cfg, "test", num_classes=5)
