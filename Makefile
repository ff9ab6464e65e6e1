# The two commands of README.md: `make demo` (main job on the embedded model) and `make test`.
VENV := .venv
BIN := $(VENV)/bin
LOGS ?= logs/main
SITE ?= build/site

.PHONY: setup demo test

setup:
	@bash scripts/setup.sh

demo: setup
	$(BIN)/twinbench run --log-dir $(LOGS)

test: setup
	bash scripts/offline.sh $(BIN)/python -m pytest
