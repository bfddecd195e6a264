# One target per paper; `make help` lists them. PROFILE=smoke runs a paper's one-minute CPU variant.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PROFILE ?= full
PAPERS := tnn transnormer nas_efficient video_linear fnac_avl avsbench favd avvp_clip sam_wsss multituning

.PHONY: help setup test demo bench lint lra-smoke $(PAPERS)

help:
	@echo "make setup            create .venv and install the pinned environment (~20 min the first time)"
	@echo "make test             install if needed, then run every test"
	@echo "make demo             every paper's smoke run on generated data, on CPU, and one table"
	@echo "make bench            speed and memory benchmarks (ratios against baselines)"
	@echo "make lint             ruff"
	@echo "make <paper>          reproduce a paper on the local GPUs; PROFILE=smoke for the CPU variant"
	@echo "make lra-smoke        shared LRA code: ListOps on generated data, tiny Transformer, CPU (~30 s)"
	@echo "papers: $(PAPERS)"

setup: $(STAMP)

# reinstall whenever a pin or an environment file changes
$(STAMP): constraints.txt requirements.txt pyproject.toml shared/requirements.txt $(wildcard */requirements.txt) scripts/setup.sh
	PYTHON=$(PYTHON) VENV=$(VENV) bash scripts/setup.sh
	touch $@

test: $(STAMP)
	$(PY) -m pytest

# one thread per run: the smoke models are tiny, and more threads only contend on a small CPU
demo: $(STAMP)
	OMP_NUM_THREADS=1 $(PY) scripts/demo.py $(PAPERS)

bench: $(STAMP)
	@shopt -s nullglob; files=(bench/*.py); \
	if [ $${#files[@]} -eq 0 ]; then echo "no benchmarks yet"; fi; \
	for f in "$${files[@]}"; do echo "== $$f"; $(PY) "$$f" || exit 1; done

lint: $(STAMP)
	$(PY) -m ruff check .

# a fresh run each time; one thread: the smoke model is tiny, and more threads only contend on a shared CPU
lra-smoke: $(STAMP)
	rm -rf runs/lra/listops_smoke
	OMP_NUM_THREADS=1 $(PY) -m shared.lra.train --config shared/lra/configs/listops_smoke.py --run-dir runs/lra/listops_smoke

$(PAPERS): $(STAMP)
	@if [ -f $@/reproduce.py ]; then $(PY) -m $@.reproduce --profile $(PROFILE); \
	else echo "$@: not reproduced yet; see $@/README.md" >&2; exit 2; fi
