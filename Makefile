# Two commands set everything up: `make run` (demo on SQLite) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
PROD_ENV := DJANGO_DEBUG=0 DJANGO_SECRET_KEY=check-deploy-$$(date +%s)-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ DJANGO_ALLOWED_HOSTS=jz.example.cn

.PHONY: run test install lint format worker check bench messages e2e clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: install
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 $(PY) manage.py seed_demo
	DJANGO_DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

# Parallel workers (pytest-xdist), each with its own test database, Redis databases
# and media directory (tests/env_plugin.py); tests that flush Redis share one worker.
PYTEST_ARGS ?= -n auto --maxprocesses=4 --dist loadgroup

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: lint
	DJANGO_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(PROD_ENV) $(PY) manage.py check --deploy --fail-level WARNING

# A Celery worker with beat against REDIS_URL (default: the local Redis).
worker: install
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} $(BIN)/celery -A lms worker --beat -l info --concurrency 2

# Apps with a locale/ of their own are read from their folder; lms/ and the site-wide
# templates/ go to the root locale/ (run from the root: lms/http.py would shadow the
# standard library's http module if lms/ were the working directory).
LOCALE_APPS := cms registry courses exams certificates dashboards
messages: install
	set -e; for app in $(LOCALE_APPS); do \
	  (cd $$app && DJANGO_DEBUG=1 ../$(PY) ../manage.py makemessages -l en --no-obsolete --no-wrap) ; done
	DJANGO_DEBUG=1 $(PY) manage.py makemessages -l en --no-obsolete --no-wrap -i ".venv/*" \
	  -i "tests/*" -i "benchmarks/*" -i "staticfiles/*" $(foreach app,$(LOCALE_APPS),-i "$(app)/*")
	DJANGO_DEBUG=1 $(PY) manage.py source_catalog
	DJANGO_DEBUG=1 $(PY) manage.py compilemessages -i .venv -i node_modules

bench: install
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 db.sqlite3-*
