"""Download the paper's datasets into the shared data root (cannot run offline).

    python -m nas_efficient.prepare --dataset cifar10       # -> data/cifar10/cifar-10-batches-py/
    python -m nas_efficient.prepare --dataset wmt14_en_de   # -> data/wmt14_en_de/ (fairseq binarized)

cifar10: https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz (md5 c58f30108f718f92721af3b95e74349a),
unpacked to ROOT/cifar-10-batches-py/ (the official python batches; multituning reads the same folder).
wmt14_en_de: the binarized WMT'14 En-De with a joined dictionary that mixFormer's
configs/wmt14.en-de/preprocess.sh downloads (HAT's `wmt16_en_de.preprocessed.tgz`), unpacked so that
ROOT/dict.en.txt, ROOT/dict.de.txt and ROOT/{train,valid,test}.en-de.{en,de}.{bin,idx} are at the top.
`--root` overrides the folder; the default is under $REPRO_DATA (or data/).
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import tarfile
import urllib.request
from pathlib import Path

from shared import paths

SOURCES = {
    "cifar10": ("https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz", "cifar-10-python.tar.gz",
                "c58f30108f718f92721af3b95e74349a"),
    "wmt14_en_de": ("https://www.dropbox.com/s/axfwl1vawper8yk/wmt16_en_de.preprocessed.tgz?dl=1",
                    "wmt16_en_de.preprocessed.tgz", None),
}


def download(url: str, archive: Path, md5: str | None) -> None:
    if not archive.is_file():
        print(f"downloading {url}")
        urllib.request.urlretrieve(url, archive)
    if md5 is not None:
        digest = hashlib.md5(archive.read_bytes()).hexdigest()
        if digest != md5:
            raise SystemExit(f"{archive}: md5 {digest}, expected {md5}; delete it and download again")


def flatten_to(root: Path, marker: str) -> None:
    """Move the files of the one sub-folder that holds `marker` up to `root` (archives nest differently)."""
    if (root / marker).is_file():
        return
    found = sorted(root.rglob(marker))
    if not found:
        raise SystemExit(f"{root}: the archive holds no {marker}; expected fairseq binarized data")
    for item in found[0].parent.iterdir():
        shutil.move(str(item), root / item.name)


def prepare(dataset: str, root: Path) -> Path:
    url, name, md5 = SOURCES[dataset]
    root.mkdir(parents=True, exist_ok=True)
    download(url, root / name, md5)
    with tarfile.open(root / name) as tar:
        tar.extractall(root, filter="data")
    if dataset == "wmt14_en_de":
        flatten_to(root, "dict.en.txt")
        print(f"WMT'14 En-De ready under {root}")
    else:
        print(f"CIFAR-10 ready under {root / 'cifar-10-batches-py'}")
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", choices=sorted(SOURCES), default="cifar10")
    parser.add_argument("--root", type=Path, default=None, help="default: <data root>/<dataset>")
    args = parser.parse_args()
    prepare(args.dataset, args.root or paths.dataset(args.dataset))


if __name__ == "__main__":
    main()
