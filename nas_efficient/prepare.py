"""Download CIFAR-10 in its official python layout (cannot run offline).

    python -m nas_efficient.prepare --root data/cifar10

Source: https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz (md5 c58f30108f718f92721af3b95e74349a),
unpacked to ROOT/cifar-10-batches-py/. WMT'14 En-De for the translation task is prepared with
fairseq's examples/translation/prepare-wmt14en2de.sh followed by fairseq-preprocess (joined
dictionary), as mixFormer's configs/wmt14.en-de/preprocess.sh does.
"""

from __future__ import annotations

import argparse
import hashlib
import tarfile
import urllib.request
from pathlib import Path

URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
MD5 = "c58f30108f718f92721af3b95e74349a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=Path("data/cifar10"))
    args = parser.parse_args()
    args.root.mkdir(parents=True, exist_ok=True)
    archive = args.root / "cifar-10-python.tar.gz"
    if not archive.is_file():
        print(f"downloading {URL}")
        urllib.request.urlretrieve(URL, archive)
    digest = hashlib.md5(archive.read_bytes()).hexdigest()
    if digest != MD5:
        raise SystemExit(f"{archive}: md5 {digest}, expected {MD5}; delete it and download again")
    with tarfile.open(archive) as tar:
        tar.extractall(args.root, filter="data")
    print(f"CIFAR-10 ready under {args.root / 'cifar-10-batches-py'}")


if __name__ == "__main__":
    main()
