# parity — the two set-up commands are `make demo` and `make test`; both start from nothing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PARITY := $(BIN)/parity

.PHONY: demo test unit integration lint engine images wheelhouse example-venv realapps bench clean help

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

# Offline stand-ins for the official images, every one parity can build (its own list:
# `parity images list`); cached: existing images are not rebuilt.
images: venv engine
	$(PARITY) images build

# The example app's Python dependencies, for `pip install --no-index` inside its image
# (containers cannot reach PyPI in air-gapped CI).
example/wheelhouse/.done: example/requirements.txt | venv
	$(BIN)/pip wheel -q -r example/requirements.txt -w example/wheelhouse
	touch $@

wheelhouse: example/wheelhouse/.done

# The example's smoke suite runs on this machine in a virtualenv of its own (host.venv in
# profiles/local.yaml), never in parity's: a user's tools live apart from parity's.
example/.venv/.installed: example/smoke/requirements.txt
	$(PYTHON) -m venv example/.venv
	example/.venv/bin/pip install -q -r example/smoke/requirements.txt
	touch $@

example-venv: example/.venv/.installed

# Real third-party apps for tests/integration/test_real_apps.py: a Wagtail site and I Hate
# Money, installed from PyPI and npm at pinned versions, never committed. Every step is a file
# target, so a warm tree rebuilds nothing and a changed pin rebuilds only what follows from it.
# Each app's tools live apart from parity's venv: the site's in $(WAGTAIL)/.venv, the Jest
# suite's in $(IHM)/node_modules.
REALAPPS := tests/integration/realapps
WAGTAIL  := $(REALAPPS)/wagtail
IHM      := $(REALAPPS)/ihatemoney
SAUTILS  := $(REALAPPS)/sautils
NODEPG   := $(REALAPPS)/nodepg
LTREE    := $(REALAPPS)/ltree
PGQUEUER := $(REALAPPS)/pgqueuer
SYNAPSE  := $(REALAPPS)/synapse

$(REALAPPS)/%/wheelhouse/.done: $(REALAPPS)/%/requirements.txt | venv
	rm -rf $(@D)
	$(BIN)/pip wheel -q --no-deps -r $< -w $(@D)
	touch $@

$(WAGTAIL)/.venv/.installed: $(WAGTAIL)/wheelhouse/.done $(WAGTAIL)/smoke/requirements.txt
	rm -rf $(WAGTAIL)/.venv
	$(PYTHON) -m venv $(WAGTAIL)/.venv
	$(WAGTAIL)/.venv/bin/pip install -q --no-index --find-links $(WAGTAIL)/wheelhouse -r $(WAGTAIL)/requirements.txt
	$(WAGTAIL)/.venv/bin/pip install -q -r $(WAGTAIL)/smoke/requirements.txt
	touch $@

# The site itself: Wagtail's project template, as `wagtail start` makes it for a new user.
$(WAGTAIL)/mysite/manage.py: $(WAGTAIL)/.venv/.installed
	rm -rf $(WAGTAIL)/mysite && mkdir -p $(WAGTAIL)/mysite
	$(WAGTAIL)/.venv/bin/wagtail start mysite $(WAGTAIL)/mysite
	touch $@

$(WAGTAIL)/mysite/mysite/settings/local.py: $(WAGTAIL)/settings_local.py $(WAGTAIL)/mysite/manage.py
	cp $< $@

$(IHM)/node_modules/.installed: $(IHM)/package.json $(IHM)/package-lock.json
	cd $(IHM) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(NODEPG)/node_modules/.installed: $(NODEPG)/package.json $(NODEPG)/package-lock.json
	cd $(NODEPG) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# SQLAlchemy-Utils' own test suite (its sdist), run through the pytest plugin.
$(SAUTILS)/src/.done: $(SAUTILS)/requirements.txt $(BIN)/.installed
	rm -rf $(SAUTILS)/src $(SAUTILS)/sdist && mkdir -p $(SAUTILS)/src
	$(BIN)/pip download -q --no-deps --no-binary :all: -r $(SAUTILS)/requirements.txt -d $(SAUTILS)/sdist
	tar xzf $(SAUTILS)/sdist/*.tar.gz -C $(SAUTILS)/src --strip-components=1
	touch $@

# django-ltree's migrations run on this machine only (no app image): a venv straight from PyPI.
$(LTREE)/.venv/.installed: $(LTREE)/requirements.txt | venv
	rm -rf $(LTREE)/.venv
	$(PYTHON) -m venv $(LTREE)/.venv
	$(LTREE)/.venv/bin/pip install -q -r $<
	touch $@

# PgQueuer's `pgq` CLI runs on this machine (host.venv), in a venv of its own.
$(PGQUEUER)/.venv/.installed: $(PGQUEUER)/requirements.txt
	rm -rf $(PGQUEUER)/.venv
	$(PYTHON) -m venv $(PGQUEUER)/.venv
	$(PGQUEUER)/.venv/bin/pip install -q -r $<
	touch $@

# Matrix Synapse's database tools run on this machine (host.venv), in a venv of its own, with the
# homeserver's signing key its config names (Synapse reads one before it opens the database).
$(SYNAPSE)/.venv/.installed: $(SYNAPSE)/requirements.txt
	rm -rf $(SYNAPSE)/.venv
	$(PYTHON) -m venv $(SYNAPSE)/.venv
	$(SYNAPSE)/.venv/bin/pip install -q -r $<
	touch $@

$(SYNAPSE)/signing.key: $(SYNAPSE)/.venv/.installed
	$(SYNAPSE)/.venv/bin/python -m synapse._scripts.generate_signing_key -o $@

realapps: $(SAUTILS)/src/.done $(WAGTAIL)/mysite/mysite/settings/local.py $(IHM)/wheelhouse/.done $(IHM)/node_modules/.installed \
          $(NODEPG)/node_modules/.installed $(LTREE)/.venv/.installed $(PGQUEUER)/.venv/.installed \
          $(SYNAPSE)/signing.key

lint: venv
	$(BIN)/ruff check parity tests
	$(BIN)/mypy

unit: venv
	$(BIN)/pytest tests/unit -q

integration: venv engine images wheelhouse example-venv realapps
	$(BIN)/pytest tests/integration -q -m integration

test: venv engine images wheelhouse example-venv realapps lint
	PARITY_REQUIRE_DOCKER=1 $(BIN)/pytest tests -q

demo: venv engine images wheelhouse example-venv
	@echo "==> parity run --profile prod --explain (the example contains production-only bugs: exit 1 is expected)"
	@PARITY_DEMO_SECRET_KEY=$${PARITY_DEMO_SECRET_KEY:-prod-secret-for-the-demo} \
	  $(PARITY) run --profile prod --explain --json demo-report.json --junit demo-report.xml --markdown demo-report.md; \
	  code=$$?; \
	  if [ $$code -eq 1 ]; then echo "==> parity found the example's divergences (exit 1, as intended)"; \
	  else echo "==> unexpected exit code $$code (the example is built to diverge: expected 1)"; exit 1; fi

# Medians over repetitions: parity up -> first query and --help vs testcontainers in its own
# process, Postgres start vs testcontainers, `parity run` vs bench/reference.sh,
# parity's peak RSS. BENCH_ARGS passes flags, e.g. BENCH_ARGS="--db-reps 9 --run-reps 5".
bench: venv engine images wheelhouse example-venv
	$(BIN)/python bench/run_bench.py $(BENCH_ARGS)

clean:
	-$(PARITY) down --all
	rm -rf $(VENV) example/wheelhouse example/.venv demo-report.*
	rm -rf $(SAUTILS)/src $(SAUTILS)/sdist $(WAGTAIL)/.venv $(WAGTAIL)/wheelhouse $(WAGTAIL)/mysite $(IHM)/wheelhouse $(IHM)/node_modules $(IHM)/reports \
	  $(PGQUEUER)/.venv $(LTREE)/.venv $(SYNAPSE)/.venv $(SYNAPSE)/signing.key
