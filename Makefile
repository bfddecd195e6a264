# One target per paper; `make help` lists them. PROFILE=smoke runs a paper's one-minute CPU variant,
# PROFILE=dryrun its full path at paper shapes on generated data for a few steps.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PROFILE ?= full
# a paper is a top-level package with a reproduce.py, other than shared/ (shared/papers.py says the same in Python)
PAPERS := $(sort $(filter-out shared,$(patsubst %/reproduce.py,%,$(wildcard */reproduce.py))))

.PHONY: help setup test demo dryrun bench lint lra-smoke gpu-check gpu-wheels $(PAPERS)

help:
	@echo "make setup            create .venv and install the pinned environment (~20 min the first time)"
	@echo "make test             install if needed, then run every test"
	@echo "make demo             every paper's smoke run on generated data, on CPU, and one table"
	@echo "make dryrun           every paper's full path at paper shapes on generated data, a few steps; one table"
	@echo "make bench            speed and memory benchmarks (ratios against baselines)"
	@echo "make lint             ruff"
	@echo "make gpu-wheels       prepare what a bare GPU machine needs to run the GPU check (here, online)"
	@echo "make gpu-check        on a GPU machine: every paper's dryrun on CUDA and the GPU benchmarks"
	@echo "make <paper>          reproduce a paper on the local GPUs; PROFILE=smoke or PROFILE=dryrun"
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
	OMP_NUM_THREADS=1 $(PY) scripts/run_profiles.py --profile smoke $(PAPERS)

dryrun: $(STAMP)
	$(PY) scripts/run_profiles.py --profile dryrun $(PAPERS)

bench: $(STAMP)
	@for f in bench/*_*.py; do echo "== $$f"; $(PY) "$$f" || exit 1; done

lint: $(STAMP)
	$(PY) -m ruff check .

gpu-wheels: $(STAMP)
	$(PY) scripts/gpu/prepare_wheels.py

gpu-check:
	bash scripts/gpu/check.sh

# a fresh run each time; one thread: the smoke model is tiny, and more threads only contend on a shared CPU
lra-smoke: $(STAMP)
	rm -rf runs/lra/listops_smoke
	OMP_NUM_THREADS=1 $(PY) -m shared.lra.train --config shared/lra/configs/listops_smoke.py --run-dir runs/lra/listops_smoke

$(PAPERS): $(STAMP)
	$(PY) -m $@.reproduce --profile $(PROFILE)
