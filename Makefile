# The two commands: `make up` runs the platform, `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: up test lint bench clean

up: $(STAMP)
	@echo "== Building the dashboard (when its sources changed)" >&2
	dashboard/scripts/build.sh || echo "The dashboard is not built; the API runs without it." >&2
	@scripts/geoip fetch || echo "No geo database: events are recorded without places." >&2
	@echo "== Starting EventLens (the first start creates its database in .eventlens)" >&2
	$(BIN)/eventlens up

test: $(STAMP)
	scripts/test

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	cd dashboard && npm run --silent lint

bench: $(STAMP)
	$(BIN)/python -m bench

$(STAMP): pyproject.toml
	@echo "== Installing EventLens and its dependencies into $(VENV) (the first time takes a minute or two)" >&2
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
