"""The readers on tiny fixtures in the official layouts, and their errors on broken files."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
import torch

from multituning.data import DataConfig, DataError, build_split, labels_of, read_cifar10, read_fashion_mnist
from tests.multituning import fixtures

WRITERS = {"cifar10": fixtures.write_cifar10, "fashion_mnist": fixtures.write_fashion_mnist,
           "fgvc_aircraft": fixtures.write_fgvc_aircraft, "dtd": fixtures.write_dtd,
           "stanford_cars": fixtures.write_stanford_cars}
# (train size, test size, classes) of each fixture; DTD trains on train1 + val1
SIZES = {"cifar10": (20, 4, 10), "fashion_mnist": (6, 4, 10), "fgvc_aircraft": (9, 6, 3), "dtd": (9, 6, 3),
         "stanford_cars": (6, 6, 3)}


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_reader_reads_the_official_layout(name: str, tmp_path: Path) -> None:
    WRITERS[name](tmp_path)
    cfg = DataConfig(name=name, data_root=str(tmp_path), image_size=16, resize_size=18, augment=True)
    train, test = build_split(cfg, train=True), build_split(cfg, train=False)
    n_train, n_test, n_classes = SIZES[name]
    assert (len(train), len(test)) == (n_train, n_test)
    image, label = train[0]
    assert image.shape == (3, 16, 16) and image.dtype == torch.float32
    labels = labels_of(train)
    assert labels.shape == (n_train,) and 0 <= labels.min() and labels.max() < n_classes
    assert labels.tolist() == [int(train[i][1]) for i in range(len(train))]  # fast path = decoding path


def test_labels_follow_the_official_files(tmp_path: Path) -> None:
    fixtures.write_fgvc_aircraft(tmp_path / "a")
    test = build_split(DataConfig(name="fgvc_aircraft", data_root=str(tmp_path / "a")), train=False)
    assert labels_of(test).tolist() == [0, 0, 1, 1, 2, 2]  # variants.txt order; 'Cessna 172' holds a space
    fixtures.write_stanford_cars(tmp_path / "c")
    cars = build_split(DataConfig(name="stanford_cars", data_root=str(tmp_path / "c")), train=True)
    assert labels_of(cars).tolist() == [0, 1, 2, 0, 1, 2]  # the devkit's 1-based classes, shifted to 0


def test_cifar_pixels_are_unpacked_channel_major(tmp_path: Path) -> None:
    fixtures.write_cifar10(tmp_path)
    import pickle

    batch = pickle.load(open(tmp_path / "cifar-10-batches-py" / "test_batch", "rb"), encoding="bytes")
    data = read_cifar10(tmp_path, "test")
    row = batch[b"data"][1]
    assert data.images[1][5, 7].tolist() == [row[5 * 32 + 7], row[1024 + 5 * 32 + 7], row[2048 + 5 * 32 + 7]]
    assert data.classes[0] == "airplane"


def test_missing_file_is_named(tmp_path: Path) -> None:
    fixtures.write_cifar10(tmp_path)
    (tmp_path / "cifar-10-batches-py" / "data_batch_3").unlink()
    with pytest.raises(FileNotFoundError, match="data_batch_3"):
        read_cifar10(tmp_path, "train")
    fixtures.write_dtd(tmp_path / "d")
    (tmp_path / "d" / "dtd" / "dtd" / "labels" / "val1.txt").unlink()
    with pytest.raises(FileNotFoundError, match="val1.txt.*<class>/<image name>"):
        build_split(DataConfig(name="dtd", data_root=str(tmp_path / "d")), train=True)
    fixtures.write_stanford_cars(tmp_path / "c")
    (tmp_path / "c" / "stanford_cars" / "cars_test_annos_withlabels.mat").unlink()
    with pytest.raises(FileNotFoundError, match="cars_test_annos_withlabels.mat"):
        build_split(DataConfig(name="stanford_cars", data_root=str(tmp_path / "c")), train=False)


def test_malformed_files_name_the_field(tmp_path: Path) -> None:
    fixtures.write_fashion_mnist(tmp_path)
    path = tmp_path / "t10k-labels-idx1-ubyte.gz"
    with gzip.open(path, "wb") as f:
        f.write(b"\x00\x00\x08\x03" + b"\x00" * 8)  # an images magic number in the labels file
    with pytest.raises(DataError, match="t10k-labels-idx1-ubyte.gz: idx magic number must be 2049"):
        read_fashion_mnist(tmp_path, "test")
    fixtures.write_cifar10(tmp_path / "c")
    import pickle

    meta = tmp_path / "c" / "cifar-10-batches-py" / "batches.meta"
    meta.write_bytes(pickle.dumps({b"num_vis": 3072}))
    with pytest.raises(DataError, match="batches.meta: field 'label_names' missing"):
        read_cifar10(tmp_path / "c", "test")
    fixtures.write_fgvc_aircraft(tmp_path / "a")
    listing = tmp_path / "a" / "fgvc-aircraft-2013b" / "data" / "images_variant_test.txt"
    listing.write_text("1000001 NoSuchVariant\n")
    with pytest.raises(DataError, match="images_variant_test.txt"):
        build_split(DataConfig(name="fgvc_aircraft", data_root=str(tmp_path / "a")), train=False)


def test_unknown_dataset_is_refused() -> None:
    with pytest.raises(ValueError, match="data.name must be one of"):
        build_split(DataConfig(name="imagenet"), train=True)
