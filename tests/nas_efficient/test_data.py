import pickle

import numpy as np
import pytest
import torch

from nas_efficient.data import Cifar10, DataError, Digits, read_cifar10

from .cifar_fixture import write_cifar10


def test_reads_the_official_cifar_layout(tmp_path) -> None:
    write_cifar10(tmp_path)
    images, labels = read_cifar10(tmp_path, "train")
    assert images.shape == (20, 32, 32, 3) and images.dtype == np.uint8 and labels.shape == (20,)
    # channel-major rows: the first 1024 bytes are the red plane
    with (tmp_path / "cifar-10-batches-py" / "data_batch_1").open("rb") as f:
        raw = pickle.load(f, encoding="bytes")[b"data"][0]
    assert (images[0, :, :, 0].reshape(-1) == raw[:1024]).all()
    assert (images[0, :, :, 2].reshape(-1) == raw[2048:]).all()


def test_cifar_dataset_applies_the_eval_transform(tmp_path) -> None:
    write_cifar10(tmp_path)
    data = Cifar10(tmp_path, "test", image_size=32, augment=False)
    image, label = data[0]
    assert image.shape == (3, 32, 32) and 0 <= label < 10 and len(data) == 4
    augmented = Cifar10(tmp_path, "train", image_size=32, augment=True)
    assert augmented[0][0].shape == (3, 32, 32)


def test_missing_and_malformed_cifar_files_are_named(tmp_path) -> None:
    with pytest.raises(DataError, match="data_batch_1: missing.*nas_efficient.prepare"):
        read_cifar10(tmp_path, "train")
    write_cifar10(tmp_path)
    path = tmp_path / "cifar-10-batches-py" / "test_batch"
    with path.open("wb") as f:
        pickle.dump({b"data": np.zeros((2, 100), np.uint8), b"labels": [0, 1]}, f)
    with pytest.raises(DataError, match=r"test_batch: b'data' must be \(N, 3072\)"):
        read_cifar10(tmp_path, "test")


def test_digits_splits_are_disjoint_and_cover_the_set() -> None:
    parts = {s: Digits(s) for s in ("train", "val", "test")}
    assert sum(len(p) for p in parts.values()) == 1797
    flat = {s: {tuple(x.flatten().tolist()) + (int(y),) for x, y in zip(p.images, p.labels, strict=True)}
            for s, p in parts.items()}
    assert len(flat["train"] & flat["test"]) < 5  # the digits set itself holds a few duplicate images
    assert parts["train"].images.shape[1:] == (1, 8, 8) and parts["train"].images.min() >= -1
    assert torch.equal(Digits("test").labels, parts["test"].labels)


def test_cifar_at_224_px_keeps_the_random_resized_crop(tmp_path) -> None:
    """The recipe's 224 px on 32 px images: the original upsamples through timm's random-resized crop
    (a padded 224 px random crop of a 32 px image raised an error here before)."""
    from timm.data.transforms import RandomResizedCropAndInterpolation
    from torchvision import transforms

    write_cifar10(tmp_path)
    train = Cifar10(tmp_path, "train", image_size=224, augment=True)
    assert isinstance(train.transform.transforms[0], RandomResizedCropAndInterpolation)
    image, _ = train[0]
    assert image.shape == (3, 224, 224)
    test = Cifar10(tmp_path, "test", image_size=224, augment=False)
    assert [type(t) for t in test.transform.transforms[:2]] == [transforms.Resize, transforms.CenterCrop]
    assert test.transform.transforms[0].size == 256 and test[0][0].shape == (3, 224, 224)
    small = Cifar10(tmp_path, "train", image_size=32, augment=True)
    assert isinstance(small.transform.transforms[0], transforms.RandomCrop)
