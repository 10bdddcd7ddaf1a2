# Two commands for a newcomer: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint migrate demo bench clean translations

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("Waymark needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

## run: install, migrate, load the demo organisation once, serve on http://127.0.0.1:8000
run: migrate demo
	@echo ""
	@echo "Waymark is running at http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	$(BIN)/gunicorn --config gunicorn.conf.py --bind $(HOST):$(PORT) wsgi:app

migrate: $(VENV)/.installed
	$(FLASK) db upgrade

demo: $(VENV)/.installed
	$(FLASK) demo load

LINTED := webapp tests bench migrations wsgi.py gunicorn.conf.py

## lint: the house style, checked (ruff's linter, and its formatter in check mode)
lint: $(VENV)/.installed-test
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

## test: install the test dependencies, check the style, run the whole suite (TEST_DATABASE_URL for PostgreSQL)
test: lint
	$(BIN)/python -m pytest

## bench: run the benchmarks under bench/ and write docs/benchmarks.md (needs /usr/bin/chromium)
bench: $(VENV)/.installed-test
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis

## translations: re-extract marked strings, update each language's catalog, compile them (commit the .po and .mo)
translations: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -k Phrase -k counted:1,2 --no-location --sort-output -o webapp/translations/messages.pot webapp
	$(BIN)/pybabel update -i webapp/translations/messages.pot -d webapp/translations --ignore-obsolete --no-fuzzy-matching
	$(BIN)/pybabel compile -d webapp/translations
