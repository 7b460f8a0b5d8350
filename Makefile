# Two commands for a new user: `make run` and `make test`.
# Both create .venv on first use (torch is pinned in pyproject.toml).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test setup bench clean check-qt

run: setup check-qt
	$(PY) main.py

test: setup
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# Qt's xcb window plugin needs system libraries that minimal Linux installs lack.
check-qt: setup
	@$(PY) -m gui.qt_check

# Benchmarks print tables with ratios against a reference measured in the same run.
bench: setup
	for script in bench/*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
