# Everything a fresh machine with python3 needs: `make report` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
SAMPLE := data/sample_firehydrant.json

.PHONY: report test lint lab bench promises fuzz notebooks clean

FUZZ_EXAMPLES ?= 20000

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,bench]'
	touch $(STAMP)

report: $(STAMP)  ## render the review of the bundled sample into reports/
	$(BIN)/mttr-lab report $(SAMPLE) --tz Europe/Berlin --out reports/review.html

test: $(STAMP)  ## lint, then every test, the notebooks under nbval included
	$(BIN)/ruff check mttr_lab tests benchmarks
	$(BIN)/ruff format --check mttr_lab tests benchmarks
	$(BIN)/python -m pytest -p tests.early_imports  # see tests/early_imports.py

lint: $(STAMP)
	$(BIN)/ruff check --fix mttr_lab tests benchmarks
	$(BIN)/ruff format mttr_lab tests benchmarks

lab: $(STAMP)  ## open JupyterLab on the notebooks
	$(BIN)/jupyter lab notebooks/

notebooks: $(STAMP)  ## re-execute the notebooks in place (after a deliberate change)
	cd notebooks && for nb in *.ipynb; do \
	  ../$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.record_timing=False --ExecutePreprocessor.store_widget_state=False "$$nb" || exit 1; done

BENCH_ARGS ?=

bench: $(STAMP)  ## the targets beside their baselines, a few minutes (BENCH_ARGS=--quick, --10m)
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

promises: $(STAMP)  ## every promised number (power, coverage, censored shares) by seeded Monte Carlo, minutes
	$(BIN)/python benchmarks/promises.py $(BENCH_ARGS)

fuzz: $(STAMP)  ## long property-based campaign of the readers, then the wrong-shape sweep (hours)
	$(BIN)/python benchmarks/fuzz.py campaign --examples $(FUZZ_EXAMPLES) --jobs 2
	$(BIN)/python benchmarks/fuzz.py sweep

clean:
	rm -rf reports .pytest_cache
