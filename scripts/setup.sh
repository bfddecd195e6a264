#!/usr/bin/env bash
# Creates .venv and installs every pinned dependency; `make setup` runs it.
#
# Two steps, because mmcv and fairseq-fixed compile against the torch that is already installed:
# built with build isolation they would compile against another torch and fail to load, and mmcv
# built before torch is present silently skips its C++ ops. The two built wheels are kept in a
# cache outside the repository, so a second setup on the same machine takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
VENV=${VENV:-.venv}
TORCH_PINS=(torch torchvision torchaudio numpy setuptools wheel cython)
BUILT_FROM_SOURCE=(mmcv fairseq-fixed)
pin() { grep -iE "^$1==" constraints.txt | head -n1; }

t0=$(date +%s)
last=$t0
# each phase header also reports how long the previous phase took
phase() { local now; now=$(date +%s); [ -z "${in_phase:-}" ] || echo "   (took $(( now - last ))s)"; in_phase=1; last=$now; printf '\n== %s\n' "$*"; }

phase "system packages"
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }
if ! ldconfig -p 2>/dev/null | grep -q 'libavcodec\.so'; then
  # torchcodec (audio and video decoding) loads FFmpeg's shared libraries
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ffmpeg >/dev/null \
    || { echo "error: FFmpeg's libraries are missing; install them: apt-get install -y ffmpeg" >&2; exit 1; }
fi
command -v java >/dev/null || echo "warning: no java on PATH; pycocoevalcap's METEOR (favd) needs Java 11+" >&2

phase "virtual environment ($PYTHON)"
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check)
"${PIP[@]}" install -q -c constraints.txt pip
# built wheels are only valid for this Python and this torch
py_tag=$("$VENV/bin/python" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')
WHEEL_CACHE=${REPRO_WHEEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/repro-wheels/$py_tag-$(pin torch | tr -s '=' '-')}

phase "step 1: torch and the build tools"
"${PIP[@]}" install -q -c constraints.txt "${TORCH_PINS[@]}"

phase "step 2a: source builds (cached in $WHEEL_CACHE; mmcv alone takes 15-20 minutes on 2 cores)"
mkdir -p "$WHEEL_CACHE"
for name in "${BUILT_FROM_SOURCE[@]}"; do
  spec=$(pin "$name")
  file_prefix=$(echo "${spec%%==*}" | tr '-' '_')-${spec##*==}
  if ls "$WHEEL_CACHE/$file_prefix"-*.whl >/dev/null 2>&1; then
    echo "cached: $spec"
  else
    echo "building $spec"
    MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-2} "${PIP[@]}" wheel -q --no-build-isolation --no-deps -w "$WHEEL_CACHE" "$spec"
  fi
done

phase "step 2b: everything else"
# every paper's environment file: a paper is a top-level package with a reproduce.py (see shared/papers.py)
paper_reqs=()
for f in */reproduce.py; do
  [ "${f%/*}" != shared ] && [ -f "${f%/*}/__init__.py" ] && [ -f "${f%/*}/requirements.txt" ] \
    && paper_reqs+=(-r "${f%/*}/requirements.txt")
done
MMCV_WITH_OPS=1 "${PIP[@]}" install -q --no-build-isolation --find-links "$WHEEL_CACHE" -c constraints.txt \
  -r requirements.txt "${paper_reqs[@]}"
"${PIP[@]}" install -q --no-build-isolation --no-deps -e .
"${PIP[@]}" check

phase "setup finished in $(( $(date +%s) - t0 ))s"
