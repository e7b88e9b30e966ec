# The two commands a newcomer needs: `make serve` and `make test`. Each installs what it needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Material prints an end-of-life notice on every build; the Makefile's builds do not need it.
export NO_MKDOCS_2_WARNING := 1
# Builds are reproducible: nothing stamps the time of the build.
export SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)

.PHONY: serve build check test clean

serve: $(VENV)/.site-installed  ## Preview on http://127.0.0.1:8000, reloading on every save
	$(BIN)/mkdocs serve --livereload --dev-addr 127.0.0.1:8000

build: $(VENV)/.site-installed  ## Build site/ strictly; a failed build leaves the old site/ in place
	rm -rf .site-new
	$(BIN)/mkdocs build --strict --site-dir .site-new
	rm -rf site && mv .site-new site

check: $(VENV)/.site-installed  ## Check data/ alone, without building
	PYTHONPATH=hooks $(BIN)/python -m explainer check

test: $(VENV)/.test-installed  ## Every test, the strict build of the real site included
	$(BIN)/python -m pytest

clean:
	rm -rf site .site-new $(VENV)

$(VENV)/.site-installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.test-installed: $(VENV)/.site-installed requirements-test.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
	touch $@
