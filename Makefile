# Repères — the two front doors are `make run` and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
MO := locale/fr/LC_MESSAGES/django.mo
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install pdf-deps browser run serve worker clock demo-reset test test-sqlite test-postgres quality fix lock clean bench

install: $(STAMP) $(MO) pdf-deps

# The venv is rebuilt when the pins change. XStatic packages ship only as sdists that
# import pkg_resources, which recent setuptools dropped: build them without isolation.
$(STAMP): requirements/base.txt requirements/dev.txt scripts/find-python
	@interp=$$(scripts/find-python) || exit 1; \
	if [ -x "$(PY)" ] && ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then rm -rf "$(VENV)"; fi; \
	[ -x "$(PY)" ] || { echo "Creating $(VENV) with $$interp"; "$$interp" -m venv "$(VENV)"; }
	$(PY) -m pip install --quiet --upgrade pip "setuptools<81" wheel
	$(PY) -m pip install --quiet --no-build-isolation XStatic==1.0.3 XStatic-Bootstrap==5.3.8.0
	$(PY) -m pip install --quiet -r requirements/dev.txt
	@touch $(STAMP)

# The French catalogue (French plural rule: « 0 jeune ») is compiled from the committed .po;
# compilemessages needs GNU gettext (msgfmt), installed here when root.
$(MO): locale/fr/LC_MESSAGES/django.po $(STAMP)
	@command -v msgfmt >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; \
	  else echo "The French catalogue needs GNU gettext: sudo apt-get install gettext" >&2; exit 1; fi; }
	$(PY) manage.py compilemessages -l fr --ignore='.*' >/dev/null
	@touch $@

# Debian's libraries WeasyPrint needs (pango, harfbuzz's subsetter), the DejaVu fonts of the PDFs
# and charts, and poppler's pdfinfo/pdftoppm with which the tests read PDFs back (ADR 010).
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core poppler-utils
pdf-deps:
	@missing=$$(for p in $(PDF_PACKAGES); do dpkg-query -W -f='$${db:Status-Status}' $$p 2>/dev/null | grep -qx installed || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "PDF exports need Debian's" $$missing": sudo apt-get install" $$missing >&2; exit 1; fi; \
	fi

# Debian's Chromium for the browser tests (never `playwright install`).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Browser tests need Debian's chromium: sudo apt-get install chromium" >&2; exit 1; fi; \
	fi

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_territory
	$(PY) manage.py load_vocabularies
	$(PY) manage.py load_funding_schemes
	$(PY) manage.py load_occupations
	$(PY) manage.py load_demo
	@$(PY) manage.py demo_accounts --url http://$(HOST):$(PORT)/
	@# The background worker (ADR 006) and the clock of scheduled jobs beside the dev server; all
	@# stop with it (Ctrl+C). The worker reloads on code changes (DEBUG): its reloader's child is
	@# stopped too.
	@$(PY) manage.py db_worker & worker=$$!; $(PY) manage.py clock >/dev/null & clock=$$!; \
	trap 'kill $$(pgrep -P $$worker) $$worker $$clock 2>/dev/null; wait $$worker $$clock 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

# The production stack on this machine (docs/deployment.md): the Procfile's processes — gunicorn,
# the worker, the clock — on config.settings.production, against the PostgreSQL of DATABASE_URL.
serve: install
	@test -n "$$DATABASE_URL" || { echo "make serve needs DATABASE_URL=postgres://… (docs/deployment.md)" >&2; exit 1; }
	@test -n "$$DJANGO_SECRET_KEY" || { echo "make serve needs DJANGO_SECRET_KEY (docs/environment.md)" >&2; exit 1; }
	@export DJANGO_SETTINGS_MODULE=config.settings.production DJANGO_ALLOWED_HOSTS=$${DJANGO_ALLOWED_HOSTS:-$(HOST)} \
	  HOST=$(HOST) PORT=$(PORT); \
	$(PY) manage.py migrate --noinput && $(PY) manage.py collectstatic --noinput -v0 || exit 1; \
	$(PY) manage.py db_worker --no-reload & worker=$$!; $(PY) manage.py clock & clock=$$!; \
	trap 'kill $$worker $$clock 2>/dev/null; wait $$worker $$clock 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/gunicorn -c config/gunicorn.conf.py config.wsgi

# The worker alone (production runs it as its own service beside the web server).
worker: install
	$(PY) manage.py db_worker

# The clock alone: one per instance (docs/deployment.md).
clock: install
	$(PY) manage.py clock

demo-reset: install
	$(PY) manage.py load_demo --reset

quality: install
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run

fix: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test-sqlite: install browser
	$(PY) -m pytest $(PYTEST_ARGS)

test-postgres: install browser
	scripts/with-postgres $(PY) -m pytest $(PYTEST_ARGS)

test: install browser quality
	$(PY) -m pytest $(PYTEST_ARGS)
	scripts/with-postgres $(PY) -m pytest $(PYTEST_ARGS)

bench: install
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .pg .pytest_cache .mypy_cache .ruff_cache db.sqlite3 staticfiles $(MO)
