"""The papers of this repository, discovered: a paper is a top-level package with a `reproduce.py`
(other than `shared`, whose `reproduce.py` is the harness every paper's runs through).

Nothing else lists them: the Makefile, packaging, the environment and the tests all derive the list
from the folders, so adding a paper touches only `<paper>/` and `tests/<paper>/`.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORE = "shared"


def discover(root: Path = ROOT) -> list[str]:
    """Folder names of the papers under `root`, sorted."""
    return sorted(p.parent.name for p in root.glob("*/reproduce.py")
                  if (p.parent / "__init__.py").is_file() and p.parent.name != CORE)


if __name__ == "__main__":
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT
    print(" ".join(discover(root)))
