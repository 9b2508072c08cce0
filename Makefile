# The book's commands. `make book` builds the HTML, `make test` checks everything; both create
# the virtual environment .venv first (only python3 is needed on the machine).
#
#   make venv         create .venv and install requirements.txt (again only when it or pyproject.toml changed)
#   make book         build the HTML into _build/html, executing notebooks through the jupyter-cache
#   make notebooks    re-execute book/*.ipynb in place and normalise them (or one: NB=book/x.ipynb)
#   make links        link the chapters listed in _toc.yml from the glossary and the Preface's map,
#                     and write each chapter's Colab set-up cell (scripts/colab_cells.py)
#   make test         unit tests + notebook hygiene, nbval, the -W -n build, the browser check
#   make pdf          the whole book as one PDF, printed by Chromium: _build/pdf/book.pdf
#   make screenshot   docs/screenshot.png: a chapter at desktop width, for the README
#   make axe          axe-core (npm package) for the browser check's accessibility test
#   make clean        remove _build (keeps .venv and .cache)

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := book
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules

PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.requirements-installed
export PATH := $(BIN):$(PATH)
export PYTHONHASHSEED := 0
export JUPYTER_PLATFORM_DIRS := 1

NB ?=
NOTEBOOKS = $(if $(NB),$(NB),$(sort $(wildcard book/*.ipynb)))
TEST_CONFIG := _build/_config.test.yml
AXE_VERSION := 4.14.1
AXE := .cache/axe-core/$(AXE_VERSION)
PYTEST := $(BIN)/python -m pytest

.PHONY: venv book notebooks links test unit hygiene nbval build-test browser pdf screenshot axe clean

venv: $(STAMP)

$(STAMP): requirements.txt $(wildcard pyproject.toml)
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

book: venv
	$(BIN)/jupyter-book build .
	@echo "The book: $(CURDIR)/_build/html/index.html"

notebooks: venv
	$(BIN)/python scripts/execute_notebooks.py $(NOTEBOOKS)

links: venv
	$(BIN)/python scripts/sync_chapters.py
	$(BIN)/python scripts/colab_cells.py

# Every step must pass, in this order. pytest's exit status 5 ("no tests collected") is accepted
# only in step 1, where it means adlib has no unit tests yet; every later pytest run always collects
# tests (the hygiene test, book/intro.ipynb, the browser module), so there 5 means something is
# broken and fails the run like any other non-zero status.
test: venv axe
	@echo "==> 1/5: adlib unit tests"
	$(MAKE) --no-print-directory unit
	@echo "==> 2/5: notebook hygiene"
	$(MAKE) --no-print-directory hygiene
	@echo "==> 3/5: nbval: re-execute every notebook and compare with its stored outputs, twice"
	$(MAKE) --no-print-directory nbval
	@echo "==> 4/5: build the book from the outputs just validated, warnings are errors"
	$(MAKE) --no-print-directory build-test
	@echo "==> 5/5: the built pages in Chromium"
	$(MAKE) --no-print-directory browser

unit: venv
	@status=0; $(PYTEST) -n 2 --doctest-modules tests adlib --ignore=tests/browser \
	    --ignore=tests/test_notebooks.py || status=$$?; \
	if [ $$status -eq 5 ]; then echo "(no adlib unit tests in tests/ yet)"; else exit $$status; fi

hygiene: venv
	$(PYTEST) tests/test_notebooks.py

# -p no:warnings: the pytest.ini rule "warnings are errors" is for our tests, not for the
# kernel machinery nbval drives. --dist loadscope keeps each notebook's cells in one worker.
# The second pass runs every notebook again on other maths kernels: OpenBLAS's generic x86
# kernels, NumPy's SIMD dispatch limited to the x86-64-v2 baseline, two BLAS threads. An output
# that depends on the last bits of this machine's arithmetic then fails here, as it would on a
# reader's machine. (On other processors the x86 names are ignored; the thread count still counts.)
NBVAL := $(PYTEST) -p no:warnings --nbval --nbval-current-env --nbval-cell-timeout=600 -n 2 --dist loadscope
NBVAL_OTHER_KERNELS := OPENBLAS_CORETYPE=Prescott OPENBLAS_NUM_THREADS=2 \
    NPY_DISABLE_CPU_FEATURES="X86_V3 X86_V4 AVX512_ICL AVX512_SPR"
nbval: venv
	$(NBVAL) book/
	@echo '==> nbval again, on other maths kernels: $(NBVAL_OTHER_KERNELS)'
	env $(NBVAL_OTHER_KERNELS) $(NBVAL) book/

# The same configuration with execution off: nbval has just executed every notebook and checked
# that its stored outputs are what the code produces, so the build renders those outputs instead
# of executing everything a second time. --all re-reads every page, so every warning is reported.
build-test: venv
	$(BIN)/python scripts/test_config.py _config.yml $(TEST_CONFIG)
	rm -rf _build/html
	$(BIN)/jupyter-book build . --all -W -n --keep-going --config $(TEST_CONFIG)

browser: venv axe
	$(PYTEST) tests/browser

# One HTML page with every chapter (Sphinx's singlehtml builder, from the jupyter-cache that
# make book fills), printed to A4 by the browser check's headless Chromium.
pdf: venv
	$(BIN)/jupyter-book build . --builder singlehtml
	$(BIN)/python scripts/print_pdf.py _build/singlehtml _build/pdf/book.pdf

screenshot: venv
	@test -f _build/html/index.html || $(MAKE) --no-print-directory book
	$(BIN)/python scripts/screenshot.py docs/screenshot.png "book/computation-graphs.html#the-chain-rule-as-a-sum-over-paths"

# axe-core from the npm registry, for the browser check's accessibility test. Without npm that
# one test is skipped, with the reason (.ci/run installs npm and makes it fail instead).
axe: $(AXE)/axe.min.js

$(AXE)/axe.min.js:
	@if command -v npm >/dev/null 2>&1; then \
	    mkdir -p $(AXE) && cd .cache/axe-core && \
	    npm pack --silent axe-core@$(AXE_VERSION) >/dev/null && \
	    tar -xzf axe-core-$(AXE_VERSION).tgz -C $(AXE_VERSION) --strip-components=1 && \
	    rm -f axe-core-$(AXE_VERSION).tgz && echo "axe-core $(AXE_VERSION) in $(AXE)" || \
	    echo "warning: could not get axe-core from the npm registry: the accessibility test will be skipped"; \
	else \
	    echo "warning: npm is not installed: no axe-core, the accessibility test will be skipped"; \
	fi

clean:
	rm -rf _build
