# ringstats: two commands set up everything on a fresh machine.
#   make book   create .venv, install with the notebook extras, execute the notebooks and
#               build the companion site into _build/html (offline)
#   make test   create .venv, install with the test extras, run the whole suite (incl. notebooks)
#   make test-oldest  the same in .venv-oldest on the declared lower bounds (constraints/oldest.txt)
#   make lab    open JupyterLab with the registered `ringstats` kernel
# PYTHON must be 3.11 or newer; override with `make test PYTHON=python3.12`.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
JOBS   ?= 2
# The suite runs JOBS processes: one BLAS thread each, or the small matrix products of the
# estimators (and the notebooks' kernels) oversubscribe the cores and run ~10x slower.
TESTENV := RINGSTATS_QUIET=1 OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1

.PHONY: book test test-fast test-oldest lab lint bench reference clean help report-screenshots

help:
	@sed -n '2,8p' Makefile

$(PY):
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "ringstats needs Python >= 3.11; got " + sys.version'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# One stamp per extra: reinstall when pyproject.toml changes.
$(VENV)/.installed-notebooks: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[notebooks]"
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed-notebooks

book: $(VENV)/.installed-notebooks
	rm -rf _build/html
	RINGSTATS_QUIET=1 $(BIN)/jupyter-book build . --builder html -W --keep-going
	@echo "open _build/html/index.html"

test: $(VENV)/.installed-test
	$(TESTENV) $(BIN)/python -m pytest -n $(JOBS) --dist loadfile

# The declared lower bounds of the dependencies (constraints/oldest.txt), whole suite, in
# its own environment; `make test` runs the newest versions pip resolves.
OLD     := .venv-oldest
$(OLD)/.installed: pyproject.toml constraints/oldest.txt
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "ringstats needs Python >= 3.11; got " + sys.version'
	$(PYTHON) -m venv $(OLD)
	$(OLD)/bin/python -m pip install --quiet --upgrade pip
	$(OLD)/bin/python -m pip install --quiet -c constraints/oldest.txt -e ".[test]"
	touch $@

test-oldest: $(OLD)/.installed
	$(TESTENV) $(OLD)/bin/python -m pytest -n $(JOBS) --dist loadfile

# Unit tests only (no notebooks), for quick iteration.
test-fast: $(VENV)/.installed-test
	$(TESTENV) $(BIN)/python -m pytest -n $(JOBS) -m "not notebooks"

lab: $(VENV)/.installed-notebooks
	$(PY) -m ipykernel install --sys-prefix --name ringstats --display-name "Python (ringstats)"
	$(BIN)/jupyter lab notebooks/

lint: $(VENV)/.installed-test
	$(BIN)/ruff check ringstats tests benchmarks

# Speed, memory and Monte Carlo studies (slow; results in benchmarks/results/).
bench: $(VENV)/.installed-test
	for f in benchmarks/bench_*.py; do $(PY) $$f || exit 1; done

# The HTML report of ecsi_mobi, corp_rep (also in Dutch) and a simulated world, with
# headless-Chromium screenshots, into _build/report-screenshots/ (look at them).
report-screenshots: $(VENV)/.installed-test
	RINGSTATS_QUIET=1 MPLBACKEND=Agg $(PY) tools/report_screenshots.py _build/report-screenshots

clean:
	rm -rf _build .pytest_cache .ruff_cache .hypothesis
