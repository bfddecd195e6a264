"""Text, Retrieval, Image and Pathfinder readers on tiny fixtures in the official layouts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from shared.lra.batching import FixedLengthCollate
from shared.lra.image import Cifar10GrayDataset, rgb_to_gray_uint8
from shared.lra.pathfinder import PathfinderDataset, read_metadata
from shared.lra.pathfinder_generator import generate_pathfinder
from shared.lra.retrieval import RetrievalDataset
from shared.lra.text import ImdbDataset
from shared.lra.vocab import encode_bytes


def test_byte_encoding_is_tfds_byte_text_encoder() -> None:
    assert encode_bytes("hi é") == [105, 106, 33, 196, 170]  # UTF-8 bytes 104 105 32 195 169, each + 1


def test_imdb_reader(tmp_path: Path) -> None:
    for split in ("train", "test"):
        for name, text in (("neg", "Bad film."), ("pos", "Great<br />film!\n")):
            folder = tmp_path / split / name
            folder.mkdir(parents=True)
            (folder / "0_3.txt").write_text(text)
    ds = ImdbDataset(tmp_path, "train", max_length=6)
    assert ds.labels.tolist() == [0, 1]
    assert ds[0]["ids"].tolist() == [b + 1 for b in b"Bad fi"]
    assert len(ImdbDataset(tmp_path, "val")) == 2  # LRA evaluates IMDB's test split as val
    with pytest.raises(FileNotFoundError, match="aclImdb"):
        ImdbDataset(tmp_path / "missing", "train")


def write_aan(path: Path, rows: list[str]) -> None:
    path.write_text("".join(r + "\n" for r in rows))


def test_retrieval_reader_and_truncated_row(tmp_path: Path) -> None:
    for split in ("train", "eval", "test"):
        write_aan(tmp_path / f"new_aan_pairs.{split}.tsv", ["1.0\tA01\tB02\tabc def\txyz", "0.0\tA03\tB04\tq\tlong text here"])
    ds = RetrievalDataset(tmp_path, "val", max_length=5)
    assert ds.labels.tolist() == [1, 0]
    item = ds[1]
    assert item["ids1"].tolist() == [ord("q") + 1] and item["ids2"].tolist() == [b + 1 for b in b"long "]
    batch = FixedLengthCollate(5)([ds[0], ds[1]])
    assert batch["tokens1"].shape == batch["tokens2"].shape == (2, 5)
    assert batch["padding_mask1"][1].tolist() == [False, True, True, True, True]
    write_aan(tmp_path / "new_aan_pairs.train.tsv", ["1.0\tA01\tB02\tabc def\txyz", "0.0\tA03\tB04\tq"])
    with pytest.raises(ValueError, match=r"new_aan_pairs\.train\.tsv:2: expected 5 tab-separated columns"):
        RetrievalDataset(tmp_path, "train")
    write_aan(tmp_path / "new_aan_pairs.train.tsv", ["2.0\tA01\tB02\ta\tb"])
    with pytest.raises(ValueError, match=r"new_aan_pairs\.train\.tsv:1: label '2\.0' out of range"):
        RetrievalDataset(tmp_path, "train")


def test_cifar_gray_reader(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    labels = np.arange(10, dtype=np.uint8)
    images = rng.integers(0, 256, size=(10, 3, 32, 32), dtype=np.uint8)
    images[0] = 0
    images[0, :, 0, 0] = (255, 0, 0)  # pure red pixel
    images[0, :, 0, 1] = (10, 200, 30)
    record = np.concatenate([labels[:, None], images.reshape(10, -1)], axis=1).astype(np.uint8)
    for name in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
        record.tofile(tmp_path / name)
    train, val, test = (Cifar10GrayDataset(tmp_path, s) for s in ("train", "val", "test"))
    assert (len(train), len(val), len(test)) == (45, 5, 10)  # 90% / 10% of the 50 training records
    ids = test[0]["ids"]
    assert ids.shape == (1024,)
    # TF: floor((0.2989 r + 0.587 g + 0.114 b) / 255 * 255.5): red 76.22 -> 76.37; (10, 200, 30) 123.81 -> 124.05
    assert ids[0].item() == 76 and ids[1].item() == 124 and ids[2].item() == 0
    assert rgb_to_gray_uint8(np.array([255, 255, 255], dtype=np.uint8)).item() == 255
    (tmp_path / "test_batch.bin").write_bytes(record.tobytes()[:-7])
    with pytest.raises(ValueError, match=r"test_batch\.bin: size .* not a multiple of the 3073-byte"):
        Cifar10GrayDataset(tmp_path, "test")


def test_pathfinder_generator_layout_and_reader(tmp_path: Path) -> None:
    root = tmp_path / "pathfinder32"
    meta = generate_pathfinder(root, 20, 32, "curv_contour_length_14", batch_id=3, seed=0)
    assert meta == root / "curv_contour_length_14" / "metadata" / "3.npy"
    rows = read_metadata(meta)
    assert rows[0][:2] == ("imgs/3", "sample_0.png") and len(meta.read_text().splitlines()[0].split()) == 11
    png = root / "curv_contour_length_14" / "imgs" / "3" / "sample_0.png"
    with Image.open(png) as img:
        assert img.mode == "L" and img.size == (32, 32)
    splits = {s: PathfinderDataset(root, s) for s in ("train", "val", "test")}
    assert [len(d) for d in splits.values()] == [16, 2, 2]
    assert splits["train"].labels.tolist() == [r[2] for r in rows[:16]]
    item = splits["test"][0]
    assert item["ids"].shape == (1024,) and 0 <= item["ids"].min() and item["ids"].max() == 255
    seeded = PathfinderDataset(root, "train", split_seed=42)  # OpenNLPLab/lra's random_split
    assert len(seeded) == 16 and sorted(str(p) for p, _ in seeded.samples) != sorted(str(p) for p, _ in splits["train"].samples)


def test_pathfinder_errors_name_the_file(tmp_path: Path) -> None:
    root = tmp_path / "pathfinder32"
    with pytest.raises(FileNotFoundError, match="curv_contour_length_14"):
        PathfinderDataset(root, "train")
    generate_pathfinder(root, 4, 32, "curv_contour_length_14", seed=1)
    bad = root / "curv_contour_length_14" / "imgs" / "0" / "sample_2.png"
    Image.new("L", (30, 32)).save(bad)
    ds = PathfinderDataset(root, "train")
    with pytest.raises(ValueError, match=r"sample_2\.png: image is 30x32; expected 32x32"):
        [ds[i] for i in range(len(ds))]
    meta = root / "curv_contour_length_14" / "metadata" / "0.npy"
    meta.write_text(meta.read_text() + "imgs/0 sample_9.png\n")
    with pytest.raises(ValueError, match=r"0\.npy:5: expected at least 4"):
        PathfinderDataset(root, "train")
