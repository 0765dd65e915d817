# make run  — set everything up and start the product on embedded defaults
# make test — set everything up and run every test (real PostgreSQL, Redis, S3 server, fake Twilio,
#             Debian's Chromium for the browser tests, a real OpenID Connect provider), the
#             date-sensitive ones first at three other dates under libfaketime
# make assets — refresh the vendored front-end files in app/static/vendor from the npm registry

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

.PHONY: run test lint format bench services browser assets migrate clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

migrate: $(STAMP)
	$(BIN)/flask --app wsgi db upgrade

run: migrate
	$(BIN)/flask --app wsgi serve

services:
	bash scripts/ensure-services.sh

browser:
	bash scripts/ensure-browser.sh

assets:
	$(PYTHON) scripts/vendor_assets.py

test: $(STAMP) services browser
	bash scripts/test-any-date.sh
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP) services
	for script in bench/*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache .hypothesis
