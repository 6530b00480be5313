# Juste Droit — the two commands: `make demo` and `make test` (see README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/justedroit
HOST ?= 127.0.0.1:8000
# The demo lives on the last working day of the twin's year (31/12/2022 is a Saturday), its
# morning up to 10:30. The server's clock starts, each time, at the instant `justedroit demo`
# wrote in var/demo-instant: the moment of that morning when the twin has the most visitors
# waiting at the main site. Appointments are to come, slots are free.
export JUSTEDROIT_TODAY ?= 2022-12-30T10:30
DEMO_INSTANT := var/demo-instant
# The demo's twin: 5 % of the Caf de la Vienne, so that its 24 monthly cycles run in minutes
# (`make demo DEMO_SCALE=1` for the full twin: its 24 cycles are not timed yet).
DEMO_SCALE ?= 0.05

.PHONY: demo test lint pytest fuzz install browser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Exact versions from requirements.lock, then the project itself without re-resolving.
$(VENV)/.installed: $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

install: $(VENV)/.installed

# The server runs with DEBUG off, as in production (French 404 and 500 pages), with a secret key
# generated once for this clone; `--insecure` lets runserver serve the static files.
DEMO_SECRET := var/demo-secret-key

$(DEMO_SECRET):
	@mkdir -p $(dir $@)
	@$(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > $@

demo: install $(DEMO_SECRET)
	@# Five steps, each saying where it is; a second run reuses the database and the twin.
	DEBUG=1 $(MANAGE) demo --scale $(DEMO_SCALE) --seed 86
	@echo "Juste Droit sert http://$(HOST) (Ctrl-C pour arrêter)"
	@# The worker sends the queued SMS and e-mails; it stops with the server. Quiet: the console
	@# SMS backend would print every SMS the twin's campaigns queued (they stay in the database,
	@# shown on the campaign pages).
	export SECRET_KEY="$$(cat $(DEMO_SECRET))"; \
	if [ -s $(DEMO_INSTANT) ]; then export JUSTEDROIT_TODAY="$$(cat $(DEMO_INSTANT))"; fi; \
	JUSTEDROIT_SMS_CONSOLE_LEVEL=WARNING $(MANAGE) db_worker --no-reload --queue-name '*' -v 0 & \
	worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) runserver $(HOST) --noreload --insecure

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	DEBUG=1 $(MANAGE) makemigrations --check --dry-run

# The end-to-end tests (tests/e2e) drive Debian's Chromium: installed here with apt-get when
# missing (Playwright never downloads a browser). Without root or apt-get they are skipped, saying why.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; } \
	      || echo "Installation de Chromium impossible : les tests de bout en bout seront ignorés."; \
	  else echo "Chromium absent et apt-get indisponible : les tests de bout en bout seront ignorés."; fi; \
	fi

# Screenshots of every end-to-end step land in build/e2e/ (the run's artefacts).
pytest: install browser
	$(BIN)/pytest -q -n auto --dist loadscope $(PYTEST_ARGS)

test: lint pytest

# Property-based tests searching at random with many more examples (CI replays fixed ones).
fuzz: install
	HYPOTHESIS_PROFILE=explore $(BIN)/pytest -q -n auto $(PYTEST_ARGS)
