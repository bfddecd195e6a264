#!/usr/bin/env bash
# `make gpu-check`: the one command a session with a lent GPU runs (within 8 minutes on one H100):
#   bash scripts/gpu/check.sh [OUT [check.py flags]]   # OUT defaults to $OUT, else runs/gpu-check
# When this Python lacks the repository's packages (a bare GPU machine), it installs what
# `make gpu-wheels` put in .gpu/ into a temporary site folder: the wheels, then mmcv (without its compiled
# ops) and fairseq built from source with every core. Then scripts/gpu/check.py runs every paper's dryrun
# on CUDA and the GPU benchmarks, and writes OUT/gpu_check.{json,md} and OUT/logs.tar.gz.
# Without a GPU it runs the same on the CPU (the fallback), with the installed environment.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-${OUT:-runs/gpu-check}}
shift $(( $# > 0 ? 1 : 0 ))
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] && [ -z "${PYTHON:-}" ] && PY=.venv/bin/python
mkdir -p "$OUT"
if ! "$PY" -c "import mmengine, fairseq" >/dev/null 2>&1 && [ -d .gpu/wheels ]; then
  SITE=${REPRO_SITE:-/tmp/repro-site}
  start=$(date +%s)
  echo "installing .gpu/ into $SITE"
  "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target "$SITE" .gpu/wheels/*.whl \
    >>"$OUT/install.log" 2>&1 || echo "warning: some wheels did not install; see $OUT/install.log"
  for archive in .gpu/sdist/*; do
    [ -e "$archive" ] || continue
    # mmcv's CUDA ops take longer to compile than the whole check may run; fairseq's CUDA kernels are not used
    env -u CUDA_HOME MMCV_WITH_OPS=0 MAX_JOBS=$(nproc) "$PY" -m pip install -q --no-index --no-deps --no-build-isolation \
      --no-cache-dir --target "$SITE" "$archive" >>"$OUT/install.log" 2>&1 || echo "warning: $archive did not build; see $OUT/install.log"
  done
  export PYTHONPATH="$PWD:$SITE${PYTHONPATH:+:$PYTHONPATH}"
  echo "installed in $(( $(date +%s) - start )) s"
fi
exec "$PY" scripts/gpu/check.py --out "$OUT" "$@"
