"""Download the official datasets and the ImageNet ResNet-50 weights into the layouts data.py reads.

    python -m multituning.prepare fgvc_aircraft     # -> data/fgvc_aircraft
    python -m multituning.prepare dtd               # -> data/dtd
    python -m multituning.prepare stanford_cars     # -> data/stanford_cars (manual: prints what to place where)
    python -m multituning.prepare cifar10           # -> data/cifar10/cifar-10-batches-py (shared with nas_efficient)
    python -m multituning.prepare fashion_mnist     # -> data/fashion_mnist
    python -m multituning.prepare weights           # -> weights/torchvision/resnet50-0676ba61.pth

`--root` writes elsewhere; the defaults follow REPRO_DATA / REPRO_WEIGHTS (shared.paths).
Needs internet access; afterwards the dataset is read once through data.py to check its layout.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tarfile
import urllib.request
from pathlib import Path

from shared import paths

SOURCES = {
    "fgvc_aircraft": ["https://www.robots.ox.ac.uk/~vgg/data/fgvc-aircraft/archives/fgvc-aircraft-2013b.tar.gz"],
    "dtd": ["https://www.robots.ox.ac.uk/~vgg/data/dtd/download/dtd-r1.0.1.tar.gz"],
    "cifar10": ["https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"],
    "fashion_mnist": [f"http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/{name}" for name in (
        "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz")],
    "weights": ["https://download.pytorch.org/models/resnet50-0676ba61.pth"],  # torchvision IMAGENET1K_V1
}
# where each archive is unpacked, relative to --root, so that torchvision's layout results
EXTRACT_INTO = {"fgvc_aircraft": ".", "dtd": "dtd", "cifar10": "."}

STANFORD_CARS = """Stanford Cars: the original site (ai.stanford.edu/~jkrause/cars/car_dataset.html) no longer serves
the files; obtain cars_train.tgz, cars_test.tgz, car_devkit.tgz and cars_test_annos_withlabels.mat from
a mirror and arrange them as
  {root}/stanford_cars/cars_train/*.jpg
  {root}/stanford_cars/cars_test/*.jpg
  {root}/stanford_cars/devkit/cars_meta.mat, cars_train_annos.mat
  {root}/stanford_cars/cars_test_annos_withlabels.mat
then run this command again to check the layout."""


def download(url: str, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / url.rsplit("/", 1)[1]
    if not target.is_file():
        print(f"downloading {url}", flush=True)
        with urllib.request.urlopen(url) as response, open(target.with_suffix(".part"), "wb") as f:
            shutil.copyfileobj(response, f)
        target.with_suffix(".part").rename(target)
    return target


def prepare(name: str, root: Path) -> None:
    if name == "stanford_cars" and not (root / "stanford_cars" / "devkit" / "cars_meta.mat").is_file():
        sys.exit(STANFORD_CARS.format(root=root))
    for url in SOURCES.get(name, []):
        path = download(url, root)
        if name in EXTRACT_INTO:
            with tarfile.open(path) as archive:
                archive.extractall(root / EXTRACT_INTO[name], filter="data")
    if name == "weights":
        return
    from multituning.config import DataConfig
    from multituning.data import build_split

    for train in (True, False):
        data = build_split(DataConfig(name=name, data_root=str(root)), train=train)
        print(f"{name} {'train' if train else 'test'}: {len(data)} images")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("name", choices=[*SOURCES, "stanford_cars"])
    parser.add_argument("--root", type=Path, default=None, help="default: data/<name>, or weights/torchvision")
    args = parser.parse_args()
    default = paths.weights("torchvision") if args.name == "weights" else paths.dataset(args.name)
    prepare(args.name, args.root or default)


if __name__ == "__main__":
    main()
