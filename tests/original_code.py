"""Original code read from a git clone or mirror, for the scripts that make golden files: the named files of a
commit copied into a scratch package (import rewrites applied, so their package-relative imports point at each
other), which is then importable. Nothing of the original is kept in this repository."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType


def scratch_package(git_dir: Path, commit: str, files: dict[str, str], rewrites: list[tuple[str, str]],
                    folder: Path, name: str) -> Callable[[str], ModuleType]:
    """`files`: file name in the package -> its path in the repository at `commit`; `rewrites`: (regex,
    replacement) applied to every file. Returns `load(module)`, which imports `name.module`."""
    package = folder / name
    package.mkdir()
    (package / "__init__.py").write_text("")
    for target, source in files.items():
        text = subprocess.run(["git", "--git-dir", str(git_dir), "show", f"{commit}:{source}"], check=True,
                              capture_output=True, text=True).stdout
        for pattern, replacement in rewrites:
            text = re.sub(pattern, replacement, text)
        (package / target).write_text(text)
    sys.path.insert(0, str(folder))
    return lambda module: importlib.import_module(f"{name}.{module}")
