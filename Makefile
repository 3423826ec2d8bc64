# One entry point for people and CI. Every target creates or reuses .venv and installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR ?= demo-company
DEMO_SIZE ?= small
# make demo SERVE=0 builds the demo and prints the logins without starting the web app (for scripts).
SERVE ?= 1

# htmx (not our code, so not in the repository): fetched from the npm registry into a git-ignored folder
# that the app serves when it is there. The pages work without it (plain forms and links).
HTMX_VERSION ?= 2.0.x
HTMX_DIR := src/cxscore/web/static/vendor
HTMX := $(HTMX_DIR)/htmx.min.js

.PHONY: demo test lint typecheck pytest engines docs bench screenshots clean htmx

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,postgres,spark]'
	touch $(STAMP)

htmx: $(HTMX)

$(HTMX):
	@if ! command -v npm >/dev/null 2>&1; then \
	  echo "npm is missing: the pages work without htmx (install npm, then make htmx, to have it)"; \
	else \
	  tmp=$$(mktemp -d) && (cd $$tmp && npm pack --silent htmx.org@$(HTMX_VERSION) >/dev/null && \
	    tar -xzf htmx.org-*.tgz package/dist/htmx.min.js package/LICENSE) && \
	  mkdir -p $(HTMX_DIR) && cp $$tmp/package/LICENSE $(HTMX_DIR)/htmx.LICENSE && \
	  cp $$tmp/package/dist/htmx.min.js $(HTMX) && rm -rf $$tmp && \
	  echo "htmx $$(grep -o 'version:"[^"]*"' $(HTMX) | head -1) from npm into $(HTMX_DIR) (git-ignored)" || \
	  { rm -rf $$tmp; echo "could not fetch htmx from npm: the pages work without it"; }; \
	fi

# The test suite starts a throwaway PostgreSQL server and a local Spark (Java 17) itself; install the
# system packages they need when they are missing (a fresh Debian 12 machine, as root, without asking).
engines:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  echo "PostgreSQL server programs are missing: installing the postgresql package"; \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql; \
	fi
	@if ! command -v java >/dev/null 2>&1; then \
	  echo "Java is missing (Spark needs it): installing openjdk-17-jre-headless"; \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y openjdk-17-jre-headless; \
	fi
	@if ! test -x /usr/bin/chromium; then \
	  echo "Chromium is missing (the browser tests drive it): installing chromium"; \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	fi

# The main job: build the demo company, then the company's scorecard summary for the latest quarter
# (printed, and written as JSON and CSV into $(DEMO_DIR)/reports), then the year's awards and the last
# quarter's payout summary; then one web account per role (logins printed once) and the web app on
# http://127.0.0.1:8000 (SERVE=0: not served).
demo: $(STAMP) $(HTMX)
	$(BIN)/cxscore demo --size $(DEMO_SIZE) --project $(DEMO_DIR) --force
	$(BIN)/cxscore scorecard summary --project $(DEMO_DIR) --industry b2b_saas --out $(DEMO_DIR)/reports
	$(BIN)/cxscore awards --period 2025 --project $(DEMO_DIR)
	$(BIN)/cxscore payouts --period 2025-Q4 --project $(DEMO_DIR) --summary
	$(BIN)/cxscore users demo --project $(DEMO_DIR)
	@if [ "$(SERVE)" != "0" ]; then $(BIN)/cxscore serve --project $(DEMO_DIR) --host 127.0.0.1 --port 8000; fi

test: $(STAMP) $(HTMX) lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

# Exit code 5 means "no tests collected": not a failure of the code under test.
pytest: $(STAMP) engines
	$(BIN)/pytest || test $$? -eq 5

docs: $(STAMP)
	$(BIN)/python -m cxscore.reference

bench: $(STAMP)
	$(BIN)/python benchmarks/import_speed.py

# The pictures in docs/screenshots: the browser tests' main pages on a laptop and a phone.
screenshots: $(STAMP) $(HTMX) engines
	CXSCORE_SCREENSHOTS=docs/screenshots $(BIN)/pytest tests/web/test_browser.py -k screenshots -q

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .mypy_cache .ruff_cache
