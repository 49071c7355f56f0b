# The two commands of the README: `make run` (build the sample graph and serve it) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STORE  ?= var/store
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test install build serve bench eval screenshot clean

$(BIN)/kg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(BIN)/kg

build: install
	$(BIN)/kg build kg/samples/seed-hf-papers.txt --store $(STORE)

run: build
	$(BIN)/kg serve --store $(STORE) --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest -q

eval: build
	$(BIN)/kg eval --store $(STORE) --gold tests/data/gold/seed-dev.jsonl

# Every benchmark prints its figures and ratios (several minutes in all; run one script alone for one figure).
bench: install
	$(BIN)/python bench/extraction_throughput.py
	$(BIN)/python bench/parallel_extraction.py
	$(BIN)/python bench/sparql_vs_oxigraph.py
	$(BIN)/python bench/load.py

# The README's picture of the gallery, taken by the browser test.
screenshot: install
	PAPERKG_README_SCREENSHOT=1 $(BIN)/python -m pytest -q tests/test_browser.py

clean:
	rm -rf $(VENV) var tests/artifacts .pytest_cache
