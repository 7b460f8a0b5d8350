# Two commands for a new user: `make run` and `make test`.
# Both create .venv on first use (torch is pinned in pyproject.toml).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test setup bench bench-long clean check-qt

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
# Figures and commands are recorded in docs/ (see README.md, "Measured").
BENCHES := data_loading numpy_cnn trainer export annotation train_panel gui
bench: setup
	for name in $(BENCHES); do echo "== bench/$$name.py"; \
		QT_QPA_PLATFORM=offscreen $(PY) bench/$$name.py || exit 1; done

# Trains each U-Net up-sampling mode and quantizes it: about 30 minutes on 2 cores.
bench-long: setup
	$(PY) bench/unet_up_modes.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
