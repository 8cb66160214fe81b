# Maillage — the front door. `make run` and `make test` are the two commands of the README.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# The demo's département: Ille-et-Vilaine (35), the documents' territory; `make run DEMO_DEPARTEMENT=21`
# builds the Côte-d'Or demo instead (both can live in the same database).
DEMO_DEPARTEMENT ?= 35
export DJANGO_SETTINGS_MODULE ?= maillage.settings.dev

.PHONY: run test venv install install-test node-packages quality fix e2e bench demo-codes worker clean css

$(VENV)/bin/activate:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 est requis ($(PYTHON) introuvable)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

venv: $(VENV)/bin/activate

install: venv node-packages
	$(PIP) install --quiet -r requirements/base.txt
	@scripts/ensure-system-packages.sh run

install-test: venv node-packages
	$(PIP) install --quiet -r requirements/test.txt
	@scripts/ensure-system-packages.sh test

## node-packages: the neutral theme's front-end packages, exactly as package-lock.json pins them.
node-packages:
	@command -v npm >/dev/null 2>&1 || { echo "npm (Node.js 20 ou plus) est requis : sudo apt-get install nodejs npm."; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error

## css: rebuild the neutral theme's stylesheet from maillage/ui/scss (committed; see decisions.md 24).
css: node-packages
	npm run --silent build:css

## run: set up (venv, SQLite, territories, demo data) and serve on http://127.0.0.1:8000 with a task worker
## (whose output, e-mails included, shows in the terminal; e-mails are also written to var/mails/).
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py load_territories --departements $(DEMO_DEPARTEMENT)
	$(PY) manage.py seed_demo --departement $(DEMO_DEPARTEMENT)
	@echo ""
	@echo "Maillage : http://$(HOST):$(PORT)/  (Ctrl+C pour arrêter)"
	@echo "Courriels : rien ne part ; chacun s'affiche ici et s'enregistre dans var/mails/."
	@scripts/serve.sh $(PY) $(HOST) $(PORT)

## test: install what tests need, lint, then the whole suite on SQLite and, if reachable, PostgreSQL.
test: install-test
	@scripts/test.sh $(PY)

quality: install-test
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	DJANGO_SETTINGS_MODULE=maillage.settings.test $(PY) manage.py check
	DJANGO_SETTINGS_MODULE=maillage.settings.test $(PY) manage.py makemigrations --check --dry-run

fix: install-test
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

e2e: install-test
	$(VENV)/bin/pytest -m e2e tests/e2e

bench: install-test
	@for b in bench/*.py; do [ -f "$$b" ] && $(PY) "$$b"; done; true

demo-codes: install
	$(PY) manage.py demo_codes

worker: install
	$(PY) manage.py db_worker

clean:
	rm -rf $(VENV) var
