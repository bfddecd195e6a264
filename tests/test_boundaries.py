"""Each subproject imports only itself, `shared`, the standard library and its own requirements file.

This keeps a subproject installable and changeable alone. `shared` may import no subproject.
"""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from shared.papers import discover

ROOT = Path(__file__).resolve().parents[1]
SUBPROJECTS = discover(ROOT)


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_names(path: Path) -> set[str]:
    """Distribution names in a requirements file, following `-r other.txt` includes."""
    names: set[str] = set()
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith(("-c", "--constraint")):
            continue
        if line.startswith(("-r", "--requirement")):
            names |= requirement_names(path.parent / line.split(maxsplit=1)[1])
            continue
        match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", line)
        if not match:
            raise ValueError(f"{path}: cannot read requirement line {raw!r}")
        names.add(_normalise(match.group(0)))
    return names


def importable_names(distributions: set[str]) -> set[str]:
    """Top-level module names that the installed `distributions` provide."""
    return {module for module, dists in packages_distributions().items() if any(_normalise(d) in distributions for d in dists)}


def imported_top_levels(folder: Path) -> dict[str, list[str]]:
    """Absolute imports of every .py file below `folder`: top-level name -> ['file:line', ...]."""
    found: dict[str, list[str]] = {}
    for path in sorted(folder.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], []).append(f"{path.relative_to(folder.parent)}:{node.lineno}")
    return found


def violations(package: Path, allowed_packages: set[str]) -> list[str]:
    """Imports of `package` that are neither stdlib, itself, `allowed_packages`, nor in its requirements."""
    requirements = package / "requirements.txt"
    if not requirements.is_file():
        return [f"{package.name}: no requirements.txt (its environment file)"]
    allowed = set(sys.stdlib_module_names) | {package.name} | allowed_packages
    allowed |= importable_names(requirement_names(requirements))
    return [
        f"{where}: imports {name!r}, which is not in {package.name}/requirements.txt nor allowed here"
        for name, places in sorted(imported_top_levels(package).items())
        if name not in allowed
        for where in places
    ]


@pytest.mark.parametrize("name", (*SUBPROJECTS, "shared"))
def test_package_imports_stay_inside_its_boundary(name: str) -> None:
    allowed = {"shared"} if name != "shared" else set()
    assert violations(ROOT / name, allowed) == []


def test_checker_catches_a_subproject_importing_another_and_an_undeclared_package(tmp_path: Path) -> None:
    pkg = tmp_path / "alpha"
    pkg.mkdir()
    (pkg / "requirements.txt").write_text("-c ../constraints.txt\n-r ../base.txt\nnumpy  # arrays\n")
    (tmp_path / "base.txt").write_text("torch==2.11.0\n")
    (pkg / "model.py").write_text(
        "import os\nimport numpy as np\nimport torch.nn\nfrom shared.config import load_config\n"
        "from beta import model\nimport yaml\nfrom . import other\n"
    )
    assert requirement_names(pkg / "requirements.txt") == {"numpy", "torch"}
    assert violations(pkg, {"shared"}) == [
        "alpha/model.py:5: imports 'beta', which is not in alpha/requirements.txt nor allowed here",
        "alpha/model.py:6: imports 'yaml', which is not in alpha/requirements.txt nor allowed here",
    ]
    assert "alpha/model.py:4: imports 'shared', which is not in alpha/requirements.txt nor allowed here" in violations(pkg, set())
