# The two commands a newcomer types: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi
PYTEST_ARGS ?=
PORT ?= 5000

.PHONY: run test install install-dev translations messages bench bench-national lint clean topology-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed $(VENV)/.dev-installed

translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d portal/translations >/dev/null

## make run: environment, migrations, demo data, a mail worker beside the server on http://127.0.0.1:5000
## (make run PORT=5001 serves on another port)
run: install translations
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo
	@echo "Serving on http://127.0.0.1:$(PORT) with a mail worker beside it (Ctrl+C stops both)"
	@export PORTAL_BASE_URL=$${PORTAL_BASE_URL:-http://127.0.0.1:$(PORT)}; \
	$(BIN)/flask mail worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

## make test: installs what tests need and runs the whole suite (PYTEST_ARGS adds options)
test: install-dev translations
	@status=0; $(BIN)/python -m pytest $(PYTEST_ARGS) || status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest: no tests were selected"; exit 0; fi; exit $$status

## make bench: the benchmarks in benchmarks/, on SQLite and PostgreSQL
bench: install-dev translations
	$(BIN)/python -m benchmarks.mail_throughput
	$(BIN)/python -m benchmarks.registration_burst
	$(BIN)/python -m benchmarks.invitation_send
	$(BIN)/python -m benchmarks.letter_render
	$(BIN)/python -m benchmarks.export_stream

## make bench-national: each page at Kupang and national size as a share of hello-world, on PostgreSQL;
## builds (or reuses) portal_national_bench; outside CI (NATIONAL_ARGS adds options, see --help)
NATIONAL_ARGS ?=
bench-national: install-dev translations
	$(BIN)/python -m benchmarks.national $(NATIONAL_ARGS)

## make topology-test: deploy/ on loopback (PostgreSQL, Redis, nginx, 2 app servers, 2 mail workers), a mixed
## load with an app server and a mail worker killed midway; outside CI (TOPOLOGY_ARGS adds options, see --help)
TOPOLOGY_ARGS ?=
topology-test: install-dev translations
	$(BIN)/python -m deploy.topology $(TOPOLOGY_ARGS)

lint: install-dev
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) instance test-artifacts .pytest_cache

## make messages: extract the strings and update both catalogues (then translate what is new)
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o portal/translations/messages.pot .
	$(BIN)/pybabel update -i portal/translations/messages.pot -d portal/translations --no-fuzzy-matching
