# Two commands for a new machine: `make demo` and `make test` (`make test-fast` to iterate).
VENV    ?= .venv
PYTHON  ?= python3
BIN     := $(VENV)/bin
CHROMIUM ?= /usr/bin/chromium
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup chromium redis clients demo test test-fast lint format benchmark clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# Debian's Chromium for browser capture (Playwright's own browser download cannot work
# here), and a CJK font so screenshots of Chinese pages show text, not empty boxes.
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
chromium:
	@[ -x $(CHROMIUM) ] && [ -f $(CJK_FONT) ] || { $(SUDO) apt-get update -qq && \
		$(SUDO) apt-get install -y -qq chromium fonts-wqy-microhei; }

# Debian's Redis for the shared-frontier tests (DIANCANG_FRONTIER_URL).
redis:
	@command -v redis-server >/dev/null || { $(SUDO) apt-get update -qq && \
		$(SUDO) apt-get install -y -qq redis-server; }

# ReplayWeb.page for the client checks in tests/clients (its prebuilt ui.js and sw.js).
CLIENTS := tests/clients
NPM     ?= npm
clients: $(CLIENTS)/node_modules/.installed

$(CLIENTS)/node_modules/.installed: $(CLIENTS)/package.json $(CLIENTS)/package-lock.json
	cd $(CLIENTS) && $(NPM) ci --no-audit --no-fund --loglevel=error
	touch $@

demo: setup chromium
	$(BIN)/diancang demo

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Two workers (the CI machine has two cores), each given a whole test file at a time, so a
# module's fixtures are built once; a session fixture is built once per worker. Files go out
# in collection order, which tests/conftest.py makes longest first (xdist would otherwise
# hand out the files with most tests first and leave the long single tests for the end).
# Not --dist loadgroup: pytest-xdist 3.8 groups nothing under pytest 9 (it renames the
# private Item._nodeid that pytest 9 no longer reads), so every test went out on its own.
PYTEST_WORKERS ?= 2
PYTEST_XDIST   := -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder
test: setup chromium redis clients lint
	$(BIN)/pytest $(PYTEST_XDIST)

# The inner loop: everything but the end-to-end crawls and browser tests (marked slow).
test-fast: setup redis lint
	$(BIN)/pytest $(PYTEST_XDIST) -m "not slow"

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

benchmark: setup chromium
	$(BIN)/python tests/benchmarks/crawl_vs_wget.py
	$(BIN)/python tests/benchmarks/s3_upload_and_replay.py
	$(BIN)/python tests/benchmarks/browser_vs_http.py --hosts 2 --pages 100
	$(BIN)/python tests/benchmarks/page_memory.py

clean:
	rm -rf $(VENV) data $(CLIENTS)/node_modules
