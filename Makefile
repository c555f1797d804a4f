# Werkbrug: `make run` serves the site, `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-14s %s\n", $$1, $$2}'

$(BIN)/activate: requirements.txt
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is needed (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(BIN)/activate

.PHONY: venv
venv: $(BIN)/activate ## Make the virtualenv from requirements.txt

.PHONY: translations
translations: venv ## Compile the translation catalogues
	$(BIN)/pybabel -q compile -d marketplace/translations

.PHONY: extract
extract: venv ## Extract UI strings and update the catalogues
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -w 120 -o marketplace/translations/messages.pot .
	$(BIN)/pybabel -q update -w 120 -i marketplace/translations/messages.pot -d marketplace/translations

.PHONY: db
db: venv ## Create or upgrade the database
	$(FLASK) init-db

.PHONY: demo
demo: db ## Load the demo catalog and demo accounts (idempotent)
	$(FLASK) demo load

.PHONY: index
index: venv ## Bring the search index up to date with the database
	$(FLASK) search-index sync

.PHONY: run
run: translations demo index ## Set everything up and serve on http://127.0.0.1:5000
	$(FLASK) run --host $(HOST) --port $(PORT)

.PHONY: lint
lint: venv ## Run ruff
	$(BIN)/ruff check .

.PHONY: test
test: translations lint ## Run ruff and the whole test suite with coverage
	$(BIN)/pytest --cov --cov-report=term:skip-covered $(PYTEST_ARGS)

.PHONY: clean
clean: ## Remove the virtualenv and generated files (not the database)
	rm -rf $(VENV) .pytest_cache .ruff_cache .coverage htmlcov
	find marketplace -name '*.mo' -delete
