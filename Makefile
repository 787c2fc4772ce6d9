# Every developer command. `make demo` and `make test` install what they need first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION := 1
export TZ := UTC
#: The stage a deploy command works on: dev or prod (stack Outreach-$(STAGE), config/$(STAGE).json).
STAGE ?= dev
#: Another deployment configuration file for synth (CI synthesizes prod with a filled-in test config).
CONFIG ?=
NODE_STAMP := node_modules/.installed
#: The CDK CLI pinned in package.json / package-lock.json (never a global or `npx aws-cdk@latest`).
CDK := npx --no-install cdk

.PHONY: install demo test test-fast soak synth lint format typecheck bench clean templates browser \
	node cli-synth bootstrap diff deploy schemas check-schemas cfn-lint ci

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

demo: install  ## simulate one order's whole contact timeline locally (no AWS account needed)
	$(BIN)/outreach simulate examples/happy_path.json

test: install browser  ## the whole test suite (moto, no AWS, no real sleeps); loadgroup: see tests/conftest.py
	$(BIN)/python -m pytest -q -n auto --dist loadgroup

test-fast: install  ## everything but the slow tests
	$(BIN)/python -m pytest -q -n auto --dist loadgroup -m "not slow"

soak: install  ## property tests' soak profiles: 10,000 streams on the pure timeline, 200 in the simulator (SEED=n replays)
	@start=$$(date +%s); \
	PROPERTIES_SEED=$(SEED) $(BIN)/python -m pytest -q -m soak tests/properties -rxX --show-capture=no --hypothesis-show-statistics; \
	status=$$?; echo "soak: wall time $$(( $$(date +%s) - start )) s"; exit $$status

synth: install  ## write cdk.out/Outreach-$(STAGE).template.json (cdk-nag checked), offline, no AWS credentials needed
	STAGE=$(STAGE) OUTREACH_DEPLOY_CONFIG=$(CONFIG) $(BIN)/python -m infra.app
	@ls cdk.out/Outreach-$(STAGE).template.json

cfn-lint: install  ## cfn-lint on every synthesized template (W3005: CDK's redundant DependsOn)
	$(BIN)/cfn-lint --ignore-checks W3005 -- cdk.out/*.template.json

schemas: install  ## regenerate schemas/ (the published event contract) from the pydantic event models
	$(BIN)/python -m infra.event_schemas

check-schemas: install
	$(BIN)/python -m infra.event_schemas --check

node: $(NODE_STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $(NODE_STAMP)

cli-synth: install node  ## the pinned CLI synthesizes Outreach-$(STAGE) too (it can read this aws-cdk-lib's cloud assembly)
	STAGE=$(STAGE) $(CDK) synth Outreach-$(STAGE) -c outreach:stage=$(STAGE) $(if $(CONFIG),-c outreach:configFile=$(CONFIG)) \
		--output cdk.out.cli --quiet

bootstrap: install node  ## once per account and region: the CDK's deployment bucket and roles
	STAGE=$(STAGE) $(CDK) bootstrap -c outreach:stage=$(STAGE)

diff: install node  ## what `make deploy` would change in Outreach-$(STAGE)
	STAGE=$(STAGE) $(CDK) diff Outreach-$(STAGE) -c outreach:stage=$(STAGE)

deploy: install node  ## deploy Outreach-$(STAGE) (asks before widening any permission)
	STAGE=$(STAGE) $(CDK) deploy Outreach-$(STAGE) -c outreach:stage=$(STAGE) --require-approval broadening

ci: test lint typecheck  ## what .ci/run runs: tests, lint, types, both stages synthesized with cdk-nag, cfn-lint
	$(MAKE) synth STAGE=dev
	$(MAKE) synth STAGE=prod CONFIG=tests/fixtures/deploy/prod.json
	$(MAKE) cfn-lint
	$(MAKE) cli-synth STAGE=dev

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
	rm -rf cdk.out cdk.out.cli .pytest_cache .ruff_cache .mypy_cache node_modules
