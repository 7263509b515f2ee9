# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
EXAMPLE := examples/cloudockit

.PHONY: demo test test-slow lint types arch pytest install clean catalogues taxonomy

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# pycanon and anjana (the anonymisation tests' independent check and the benchmark's peer)
# pin exact versions of typing_extensions, typer, numpy... that conflict with the
# project's: install them alone; what they import (pandas, beartype) is in the dev extra.
$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e ".[dev,postgresql,mysql]"
	$(BIN)/python -m pip install -q --no-deps pycanon==1.3.5 anjana==1.2.3
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/tutela demo $(EXAMPLE) --out out --serve

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

types: $(STAMP)
	$(BIN)/mypy src

arch: $(STAMP)
	$(BIN)/lint-imports

# `make test` leaves out the suites marked `slow` (browsers, Celery workers, processes
# killed mid-way, schemathesis, the benchmarks' smoke runs); `make test-slow` runs them.
# CI (.ci/run) runs both.
pytest: $(STAMP)
	$(BIN)/pytest -n 2 -q --dist worksteal -m "not slow"

test: lint types arch pytest

test-slow: $(STAMP)
	$(BIN)/pytest -n 2 -q --dist worksteal -m slow

clean:
	rm -rf $(VENV) out

# Extract tutela's own wording into the gettext catalogues (then translate the new entries).
catalogues: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg -k _ -k N_ -k ngettext:1,2 --no-location \
		--sort-output --project tutela -o src/tutela/locale/tutela.pot .
	for lang in fr nl de; do \
		if [ -f src/tutela/locale/$$lang/LC_MESSAGES/tutela.po ]; then \
			$(BIN)/pybabel -q update -N --ignore-pot-creation-date -D tutela \
				-i src/tutela/locale/tutela.pot -d src/tutela/locale -l $$lang; \
		else \
			$(BIN)/pybabel -q init -D tutela -i src/tutela/locale/tutela.pot \
				-d src/tutela/locale -l $$lang; \
		fi; \
	done

# Rewrite the shipped snapshot of fideslang's default taxonomy from the installed fideslang.
taxonomy: $(STAMP)
	$(BIN)/python -c "from tutela.taxonomy.snapshot import main; main()"
