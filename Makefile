# Huhang: `make run` (app + worker + demo data on the embedded defaults), `make test` (install + all tests).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
export FLASK_APP := wsgi:app

.PHONY: install run test test-only db demo worker clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed

db: install
	$(PY) -m flask db upgrade
	$(PY) -m flask geo load

demo: db
	$(PY) -m flask demo build --if-empty

run: demo
	$(PY) -m flask dev --host 127.0.0.1 --port 5000

worker: install
	$(PY) -m flask worker

test: install
	bash scripts/install-chromium.sh
	$(MAKE) test-only

test-only:
	$(PY) -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) instance test-results
