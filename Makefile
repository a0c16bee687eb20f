# Two commands on a fresh machine (Python 3.11+ only): `make run`, `make test`.
PYTHON ?= python3
UV := $(PYTHON) -m uv
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: install run test test-fast lint typecheck bench clean

$(BIN)/clearview: pyproject.toml uv.lock
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	$(UV) sync --frozen --extra dev
	@touch $@

install: $(BIN)/clearview

## Start everything (API, chat UI, workers) on http://localhost:$(PORT) with demo data.
run: install
	$(BIN)/clearview serve --demo --port $(PORT)

## Lint, type-check and run the whole test suite (real SQLite, PostgreSQL, Redis, Chroma).
test: install lint typecheck
	@bash scripts/test-services.sh
	@# pytest exits 5 when it collected nothing: that is a failure here, not a pass.
	$(BIN)/pytest -n 2 --dist loadgroup; status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests"; exit 1; fi; exit $$status

## The tests without the slow kill/restart and topology scenarios (a quick loop while coding).
test-fast: install lint typecheck
	@bash scripts/test-services.sh
	$(BIN)/pytest -n 2 --dist loadgroup -m "not slow"

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck:
	$(BIN)/mypy

## The quick benchmarks at small sizes, each printing its table next to its baseline; stops
## with a non-zero status at the first one that fails. Full sizes: see README, Benchmarks.
bench: install
	$(BIN)/python -m bench.bus --messages 2000 --repeat 1
	$(BIN)/python -m bench.api --seconds 3
	$(BIN)/python -m bench.agent --turns 20

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
