# The two commands a newcomer needs: `make serve` and `make test`. Each installs what it needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Material prints an end-of-life notice on every build; the Makefile's builds do not need it.
export NO_MKDOCS_2_WARNING := 1
# jieba imports pkg_resources, whose deprecation notice (printed with the lines of the import, like a
# traceback) would open every build; setuptools is pinned for it (README, Dependencies).
export PYTHONWARNINGS := ignore:pkg_resources is deprecated:UserWarning
# Builds are reproducible: nothing stamps the time of the build.
export SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
# The browser tests drive Debian's Chromium (never a browser Playwright downloads); set CHROMIUM for another one.
export CHROMIUM ?= /usr/bin/chromium
# apt-get needs root: sudo for everyone else (CI runners included).
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

# One worker per core; an idle worker takes tests queued for a busy one, so that slow files do not run last alone.
PARALLEL := -n auto --dist worksteal

.PHONY: serve build check test test-fast bench browser-tools clean

serve: $(VENV)/.site-installed  ## Preview on http://127.0.0.1:8000, reloading on every save
	$(BIN)/mkdocs serve --livereload --dev-addr 127.0.0.1:8000

build: $(VENV)/.site-installed  ## Build site/ strictly; a failed build leaves the old site/ in place
	rm -rf .site-new
	$(BIN)/mkdocs build --strict --site-dir .site-new
	rm -rf site && mv .site-new site

check: $(VENV)/.site-installed  ## Check data/ alone, without building
	PYTHONPATH=hooks $(BIN)/python -m explainer check

test: $(VENV)/.test-installed node_modules/.installed browser-tools  ## Every test: the strict build, then the browser and validators
	$(BIN)/python -m pytest $(PARALLEL)

test-fast: $(VENV)/.test-installed  ## The tests without a browser, a validator or a slow build (pytest -m "not browser and not slow"), while you write
	$(BIN)/python -m pytest $(PARALLEL) -m "not browser and not slow"

# Not part of `make test`: it takes about twenty minutes. BENCH_ARGS="--sizes 1 10 --runs 3" for a quick run.
BENCH_ARGS ?=
bench: $(VENV)/.site-installed  ## Time the hooks at 1×, 10× and 100× the data; writes bench/results.json and .md
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf site .site-new $(VENV) node_modules test-artifacts

$(VENV)/.site-installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.test-installed: $(VENV)/.site-installed requirements-test.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
	touch $@

# axe-core and the Nu Html Checker, exactly as package-lock.json pins them. --ignore-scripts: vnu-jar's
# postinstall would download a Java; the tests run vnu.jar with the machine's own.
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# Chromium, a font with Chinese glyphs (for the screenshots) and Java (for vnu.jar), from apt when one is missing.
browser-tools:
	@missing=""; \
	test -x "$(CHROMIUM)" || missing="$$missing chromium"; \
	fc-list :lang=zh family 2>/dev/null | grep -q . || missing="$$missing fonts-wqy-microhei"; \
	command -v java >/dev/null || missing="$$missing default-jre-headless"; \
	if [ -n "$$missing" ]; then \
		echo "Installing$$missing with apt-get"; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
