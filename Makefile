# Every developer command. `make demo` and `make test` install what they need first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION := 1
export TZ := UTC

.PHONY: install demo test test-fast soak synth lint format typecheck bench clean templates browser

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

demo: install  ## simulate one order's whole contact timeline locally (no AWS account needed)
	$(BIN)/outreach simulate examples/happy_path.json

test: install browser  ## the whole test suite (moto, no AWS, no real sleeps)
	$(BIN)/python -m pytest -q

test-fast: install  ## everything but the slow tests
	$(BIN)/python -m pytest -q -m "not slow"

soak: install  ## property tests' soak profiles: 10,000 streams on the pure timeline, 200 in the simulator (SEED=n replays)
	@start=$$(date +%s); \
	PROPERTIES_SEED=$(SEED) $(BIN)/python -m pytest -q -m soak tests/properties -rxX --show-capture=no --hypothesis-show-statistics; \
	status=$$?; echo "soak: wall time $$(( $$(date +%s) - start )) s"; exit $$status

synth: install  ## write cdk.out/*.template.json, offline, no AWS credentials needed
	$(BIN)/python -m infra.app
	@ls cdk.out/*.template.json

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: install
	$(BIN)/mypy

bench: install  ## every figure of issue 10's targets: benchmarks/results.json and the table in benchmarks/README.md
	$(BIN)/python benchmarks/bench.py

templates: install  ## after editing templates/*.html or styles.css: write templates/inlined/ (CSS inlined for mail clients)
	$(BIN)/python -m outreach.templates

browser:  ## headless Chromium for the message screenshots and browser tests, where it can be installed (never fails)
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && apt-get install -y -qq chromium) >/dev/null 2>&1; } || \
	  echo "chromium not installed: the browser tests are skipped"

clean:
	rm -rf cdk.out .pytest_cache .ruff_cache .mypy_cache
