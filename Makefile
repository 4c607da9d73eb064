# parity — the two set-up commands are `make demo` and `make test`; both start from nothing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PARITY := $(BIN)/parity
IMAGES ?= postgres:13 postgres:15 postgres:17 python:3.11-slim

.PHONY: demo test unit integration lint engine images wheelhouse bench clean help

help:
	@echo "make demo   run parity on the bundled example (profiles/prod.yaml vs profiles/local.yaml)"
	@echo "make test   lint + the whole test suite (unit and real-container integration tests)"
	@echo "make bench  benchmark parity against testcontainers and a sequential script"

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

venv: $(BIN)/.installed

engine:
	@scripts/ensure-docker.sh

# Offline stand-ins for the official images; cached: existing images are not rebuilt.
images: venv engine
	$(PARITY) images build $(IMAGES)

# The example app's Python dependencies, for `pip install --no-index` inside its image
# (containers cannot reach PyPI in air-gapped CI).
example/wheelhouse/.done: example/requirements.txt | venv
	$(BIN)/pip wheel -q -r example/requirements.txt -w example/wheelhouse
	touch $@

wheelhouse: example/wheelhouse/.done

lint: venv
	$(BIN)/ruff check parity tests
	$(BIN)/mypy

unit: venv
	$(BIN)/pytest tests/unit -q

integration: venv engine images wheelhouse
	$(BIN)/pytest tests/integration -q -m integration

test: venv engine images wheelhouse lint
	PARITY_REQUIRE_DOCKER=1 $(BIN)/pytest tests -q

demo: venv engine images wheelhouse
	@echo "==> parity run --profile prod (the example contains production-only bugs: exit 1 is expected)"
	@PARITY_DEMO_SECRET_KEY=$${PARITY_DEMO_SECRET_KEY:-prod-secret-for-the-demo} \
	  $(PARITY) run --profile prod --json demo-report.json --junit demo-report.xml --markdown demo-report.md; \
	  code=$$?; \
	  if [ $$code -eq 1 ]; then echo "==> parity found the example's divergences (exit 1, as intended)"; \
	  else echo "==> unexpected exit code $$code (the example is built to diverge: expected 1)"; exit 1; fi

# Medians over repetitions: parity up -> first query and --help vs testcontainers in its own
# process, Postgres start vs testcontainers, `parity run` vs bench/reference.sh,
# parity's peak RSS. BENCH_ARGS passes flags, e.g. BENCH_ARGS="--db-reps 9 --run-reps 5".
bench: venv engine images wheelhouse
	$(BIN)/python bench/run_bench.py $(BENCH_ARGS)

clean:
	-$(PARITY) down --all
	rm -rf $(VENV) example/wheelhouse demo-report.*
