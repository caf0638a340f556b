# Quick start: `make run` serves the portal with demo content; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run serve test chromium clean bench bench-tools screenshots

# For development the project installs itself editable: code, templates/, static/ and migrations/
# are used where they are in the checkout, and ./instance is the checkout's. Deployments may
# install the wheel instead, which carries all of them (docs/deploy.md, "Installing from a wheel").
$(VENV)/.runtime: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.test: pyproject.toml $(VENV)/.runtime
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

# Scheduled stories are published by `portal publish-due`, run here once a minute beside the
# server and stopped with it (a deployment runs it from a timer instead: docs/deploy.md).
WITH_SCHEDULE = $(FLASK) portal publish-due --every 60 & schedule=$$!; trap 'kill $$schedule 2>/dev/null' EXIT INT TERM;

run: $(VENV)/.runtime
	$(FLASK) portal init-db
	$(FLASK) portal demo
	@echo "Serving the portal on http://$(HOST):$(PORT)  (Ctrl+C to stop)"
	$(WITH_SCHEDULE) $(FLASK) run --host $(HOST) --port $(PORT)

# Production mode under gunicorn (gunicorn.conf.py); needs PORTAL_SECRET_KEY, PORTAL_PUBLIC_URL
# (or PORTAL_TRUSTED_HOSTS) and usually PORTAL_SQLALCHEMY_DATABASE_URI: see docs/deploy.md.
# It listens on 127.0.0.1:8000 unless PORTAL_BIND says otherwise: put a reverse proxy that
# buffers requests in front (docs/deploy.md), never readers straight onto gunicorn.
serve: $(VENV)/.runtime
	PORTAL_ENV=production $(FLASK) portal init-db
	export PORTAL_ENV=production; $(WITH_SCHEDULE) $(VENV)/bin/gunicorn -c gunicorn.conf.py wsgi:app

# Browser tests drive Debian's Chromium; install it when it is missing.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }

test: $(VENV)/.test chromium
	$(PY) -m pytest

# The benchmarks, one after another (figures in docs/benchmarks.md); the other files in bench/
# are their helpers. About 22 minutes, and 5 more the first time, which builds the demo
# databases (instance/bench/, $TMPDIR/portal-bench/).
BENCHMARKS := bench/feed_paging.py bench/qr.py bench/search_flood.py bench/serve_load.py bench/signed_in_costs.py bench/streams.py \
	bench/lighthouse.py

$(VENV)/.bench: pyproject.toml $(VENV)/.test
	$(PY) -m pip install --quiet -e '.[test,bench]'
	touch $@

# The load generator and Node for Lighthouse (bench/lighthouse.py installs it from npm): only
# what is missing, since a Node from elsewhere (NodeSource's carries npm) conflicts with Debian's npm.
bench-tools:
	@missing=""; for tool in wrk npm; do command -v $$tool >/dev/null 2>&1 || missing="$$missing $$tool"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian's$$missing for the benchmarks"; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; fi

bench: $(VENV)/.bench chromium bench-tools
	@for script in $(BENCHMARKS); do echo "== $$script"; $(PY) $$script || exit 1; done

# The README's pictures: front page, an article and the desk, phone and desktop, light and dark,
# from a scratch database of demo content (tests/browser/screenshots.py), into docs/screenshots/.
screenshots: $(VENV)/.test chromium
	$(PY) -m tests.browser.screenshots

clean:
	rm -rf $(VENV) .pytest_cache
