# Gloss developer tasks. `make run` serves the app; `make test` runs the suite.
# Every target installs first; installing is skipped while the lock files and
# pyproject.toml are unchanged (the stamp file's name carries their hash).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LOCK_HASH := $(shell cat requirements.lock requirements-dev.lock pyproject.toml | sha256sum | cut -c1-16)
STAMP := $(VENV)/.installed-$(LOCK_HASH)

.PHONY: install browser run test lint format bench clean

install: $(STAMP)

# The browser tests drive Debian's chromium (never `playwright install`, which
# downloads a browser build). CI runs as root on a fresh machine: install it
# there when missing; elsewhere the browser tests skip with a reason. The
# accessibility test also needs axe-core from npm (package-lock.json).
browser:
	@if ! command -v chromium >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		echo "Installing chromium (apt-get) for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq chromium >/dev/null; \
	fi
	@# axe-core (the accessibility test injects it from disk), pinned by
	@# package-lock.json; installed once on a fresh clone.
	@if [ ! -f node_modules/axe-core/axe.min.js ]; then \
		echo "Installing axe-core (npm ci) for the accessibility test"; \
		npm ci --no-audit --no-fund --loglevel=error; \
	fi

$(STAMP):
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $@

run: install
	$(BIN)/python -m config.environment
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py ingest
	$(BIN)/python manage.py search_index verify
	$(BIN)/python manage.py ensure_admin
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/gunicorn --config gunicorn.conf.py

# Uses $DATABASE_URL when set (e.g. postgres://postgres@127.0.0.1:5432/test).
test: install browser
	$(BIN)/python -m config.environment
	$(BIN)/pytest --cov --cov-report=term

# mypy's Django plugin loads the settings, which need the data directory and key.
lint: install
	$(BIN)/python -m config.environment >/dev/null
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
