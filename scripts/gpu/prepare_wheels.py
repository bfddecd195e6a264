"""Prepare, here (online), what a bare GPU machine needs to run `make gpu-check`; writes the git-ignored `.gpu/`.

    python scripts/gpu/prepare_wheels.py [--budget-mib 56]

The GPU machines run Python 3.12 with torch 2.11.0+cu130 and many packages preinstalled (preinstalled.txt),
reach no package registry, and receive the working tree plus at most 64 MiB of extra files per call. So:
- every pinned package (constraints.txt) that is not preinstalled travels as a cp312 wheel in .gpu/wheels;
- mmcv and fairseq-fixed (and packages released as source only) travel as source archives in .gpu/sdist and
  are built there (scripts/gpu/check.sh);
- what does not fit the budget, or has no cp312 wheel, is listed in .gpu/manifest.json with the reason,
  and the GPU check reports the parts that need it as skipped.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GPU_DIR = ROOT / ".gpu"
BUILT_THERE = ("mmcv", "fairseq-fixed")  # compiled against the machine's torch
NOT_NEEDED = {"ruff", "opencv-python", "pip"}  # dev tools; opencv-python-headless there provides cv2
PLATFORMS = ["manylinux_2_28_x86_64", "manylinux_2_27_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64",
             "manylinux1_x86_64", "manylinux_2_24_x86_64", "manylinux_2_31_x86_64", "manylinux_2_34_x86_64"]


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins() -> dict[str, str]:
    out = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            out[normalise(name)] = version.strip()
    return out


def preinstalled() -> set[str]:
    text = (Path(__file__).with_name("preinstalled.txt")).read_text()
    return {normalise(w) for line in text.splitlines() if not line.startswith("#") for w in line.split()}


def download(spec: str, dest: Path, binary: bool) -> tuple[bool, str]:
    cmd = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(dest), spec]
    if binary:
        cmd += ["--only-binary=:all:", "--python-version", "3.12", "--implementation", "cp"]
        cmd += [arg for p in PLATFORMS for arg in ("--platform", p)]
    else:  # metadata of a source archive is read with this environment's torch (mmcv's setup.py imports it)
        cmd += ["--no-binary=:all:", "--no-build-isolation"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    return proc.returncode == 0, proc.stderr.strip().splitlines()[-1] if proc.returncode else ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--budget-mib", type=float, default=56.0, help="the working tree takes the rest of 64 MiB")
    args = parser.parse_args()
    shutil.rmtree(GPU_DIR, ignore_errors=True)
    wheels, sdists = GPU_DIR / "wheels", GPU_DIR / "sdist"
    wheels.mkdir(parents=True)
    sdists.mkdir()
    there = preinstalled()
    manifest: dict[str, dict] = {"carried": {}, "left_out": {}}
    for name, version in sorted(pins().items()):
        if name in there or name in NOT_NEEDED or name.startswith(("nvidia-", "cuda-")):
            continue
        built = name in BUILT_THERE
        before = set(wheels.iterdir()) | set(sdists.iterdir())
        ok, why = download(f"{name}=={version}", sdists if built else wheels, binary=not built)
        if not ok and not built:  # a pure-Python package released as a source archive only
            built = True
            ok, why = download(f"{name}=={version}", sdists, binary=False)
        new = (set(wheels.iterdir()) | set(sdists.iterdir())) - before
        if not ok:
            manifest["left_out"][name] = f"no {'source archive' if built else 'cp312 wheel'}: {why}"
            continue
        manifest["carried"][name] = {"version": version, "files": sorted(p.name for p in new),
                                     "mib": round(sum(p.stat().st_size for p in new) / 2**20, 2)}
    # the budget: leave out the largest until what travels fits
    total = sum(v["mib"] for v in manifest["carried"].values())
    for name, info in sorted(manifest["carried"].items(), key=lambda kv: -kv[1]["mib"]):
        if total <= args.budget_mib:
            break
        for f in info["files"]:
            for folder in (wheels, sdists):
                (folder / f).unlink(missing_ok=True)
        manifest["left_out"][name] = f"{info['mib']} MiB does not fit the {args.budget_mib} MiB budget"
        del manifest["carried"][name]
        total -= info["mib"]
    manifest["total_mib"] = round(total, 2)
    (GPU_DIR / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"{len(manifest['carried'])} packages, {total:.1f} MiB in {GPU_DIR}; left out: "
          + (", ".join(f"{k} ({v})" for k, v in manifest["left_out"].items()) or "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
