# modelport: `make run` starts the server on its embedded defaults with a demo catalog;
# `make test` installs what the tests need and runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q

.PHONY: run test install install-test lint fmt typecheck bench clean web web-test mlflow-venv

# The web app (frontend/): `npm ci` when its lockfile changes, a build when one of its sources does.
WEB := frontend
NPM := npm --no-audit --no-fund
WEB_SRC := $(shell find $(WEB)/src $(WEB)/public -type f 2>/dev/null) \
	$(WEB)/index.html $(WEB)/vite.config.ts $(WEB)/tsconfig.json

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

# The OpenID Connect provider of the SSO end-to-end tests (node oidc-provider); without npm they skip.
tests/oidc/node_modules/.installed: tests/oidc/package.json tests/oidc/package-lock.json
	@if command -v npm >/dev/null; then npm ci --prefix tests/oidc --no-audit --no-fund && touch $@; \
	else echo "npm not found: the end-to-end SSO tests will be skipped"; fi

# The MLflow tracking server that the MLflow tests start: full `mlflow` (for `mlflow server`) in a venv of
# its own, since its pins may clash with the project's. It lives outside the clone, named after its pins'
# hash, so it is built once per machine and pin set (a fresh clone or CI run reuses it).
MLFLOW_REQUIREMENTS := tests/training/mlflow-server.txt
MLFLOW_VENV ?= $(HOME)/.cache/modelport/mlflow-venv-$(shell sha256sum $(MLFLOW_REQUIREMENTS) | cut -c1-12)

$(MLFLOW_VENV)/.installed: | $(MLFLOW_REQUIREMENTS)
	$(PYTHON) -m venv $(MLFLOW_VENV)
	$(MLFLOW_VENV)/bin/python -m pip --disable-pip-version-check -q install -r $(MLFLOW_REQUIREMENTS)
	touch $@

$(WEB)/node_modules/.installed: $(WEB)/package.json $(WEB)/package-lock.json
	$(NPM) ci --prefix $(WEB)
	touch $@

$(WEB)/dist/index.html: $(WEB)/node_modules/.installed $(WEB_SRC)
	$(NPM) run --prefix $(WEB) build
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test
mlflow-venv: $(MLFLOW_VENV)/.installed
web: $(WEB)/dist/index.html

web-test: $(WEB)/node_modules/.installed
	$(NPM) test --prefix $(WEB)

run: install web
	$(VENV)/bin/modelport db upgrade
	MODELPORT_DEMO=true $(VENV)/bin/modelport serve

test: install-test lint typecheck web-test web tests/oidc/node_modules/.installed $(MLFLOW_VENV)/.installed
	MODELPORT_TEST_MLFLOW_VENV=$(MLFLOW_VENV) $(PY) -m pytest

lint: install-test
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/bandit -q -r src/modelport -ll

typecheck: install-test $(WEB)/node_modules/.installed
	$(VENV)/bin/mypy
	$(NPM) run --prefix $(WEB) typecheck

fmt: install-test
	$(VENV)/bin/ruff format src tests bench
	$(VENV)/bin/ruff check --fix src tests bench

bench: install-test
	$(PY) bench/catalog.py

clean:
	rm -rf $(VENV) .modelport .pytest_cache .mypy_cache .ruff_cache $(WEB)/node_modules $(WEB)/dist
