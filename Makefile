# Huhang: `make run` (app + worker + demo data on the embedded defaults), `make test` (install + all tests).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
export FLASK_APP := wsgi:app

.PHONY: install run test test-only db demo worker clean screenshots

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

# STATIC_REFRESH=1: an edited static file gets its new fingerprinted name at the next page (volunteer/static_files.py).
run: demo
	STATIC_REFRESH=1 $(PY) -m flask dev --host 127.0.0.1 --port 5000

worker: install
	$(PY) -m flask worker

test: install
	bash scripts/install-chromium.sh
	$(MAKE) test-only

# Two pytest-xdist workers, a test file each at a time: much of the suite waits (real workers, browsers,
# Redis servers), so two keep a core busy where one left it idle a quarter of the time.
PYTEST_WORKERS ?= 2
test-only:
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# Layout gallery (e2e/test_layout.py's pages): phone and desktop screenshots in test-results/gallery/index.html.
screenshots: install
	bash scripts/install-chromium.sh
	$(PY) scripts/screenshots.py

clean:
	rm -rf $(VENV) instance test-results
