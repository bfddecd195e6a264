"""The two roots every paper reads from: datasets under `data/`, pretrained weights under `weights/`.

One folder per dataset (`data/wikitext-103`, `data/cifar10`, ...), shared by every paper that reads it, and
one folder per released weight file's origin (`weights/vggish/...`). `REPRO_DATA` and `REPRO_WEIGHTS` (or
`--data-root` / `--weights-root` of any reproduce command) move them; configs call these functions when
they are built, so an override reaches every path of a paper at once.
"""

from __future__ import annotations

import os
from pathlib import Path

DATA_ENV = "REPRO_DATA"
WEIGHTS_ENV = "REPRO_WEIGHTS"
DEFAULT_DATA = "data"
DEFAULT_WEIGHTS = "weights"


def data_root() -> Path:
    return Path(os.environ.get(DATA_ENV) or DEFAULT_DATA)


def weights_root() -> Path:
    return Path(os.environ.get(WEIGHTS_ENV) or DEFAULT_WEIGHTS)


def dataset(name: str) -> Path:
    """The folder of one dataset, e.g. `dataset("wikitext-103")`."""
    return data_root() / name


def weights(*parts: str) -> Path:
    """A pretrained weight file, e.g. `weights("vggish", "vggish-10086976.pth")`."""
    return weights_root().joinpath(*parts)
