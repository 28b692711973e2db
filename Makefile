# modelport: `make run` starts the server on its embedded defaults with a demo catalog;
# `make test` installs what the tests need and runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q

.PHONY: run test install install-test lint fmt typecheck bench clean

$(VENV)/.created:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip setuptools wheel
	touch $@

$(VENV)/.installed: $(VENV)/.created pyproject.toml
	$(PIP) install -e '.[mlflow]'
	touch $@

$(VENV)/.installed-test: $(VENV)/.created pyproject.toml
	$(PIP) install -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

run: install
	$(VENV)/bin/modelport db upgrade
	MODELPORT_DEMO=true $(VENV)/bin/modelport serve

test: install-test lint typecheck
	$(PY) -m pytest

lint: install-test
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench

typecheck: install-test
	$(VENV)/bin/mypy

fmt: install-test
	$(VENV)/bin/ruff format src tests bench
	$(VENV)/bin/ruff check --fix src tests bench

bench: install-test
	$(PY) bench/catalog.py

clean:
	rm -rf $(VENV) .modelport .pytest_cache .mypy_cache .ruff_cache
