# Two commands matter: `make demo` runs the bot locally, `make test` runs every test.
# Each builds its own virtual environment on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench serve clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/ecombot demo

test: $(STAMP)
	$(BIN)/ruff check bot handlers jobs metrics tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/pytest

serve: $(STAMP)
	$(BIN)/ecombot serve

# each benchmark prints its own table; the README quotes the latest figures
bench: $(STAMP)
	for b in bench_import bench_roi bench_suite bench_analysis bench_sentiment; do $(BIN)/python bench/$$b.py || exit 1; done

clean:
	rm -rf $(VENV) ecombot.db .pytest_cache .mypy_cache .ruff_cache
