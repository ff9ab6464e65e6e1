# The two commands of README.md: `make demo` (main job on the embedded models) and `make test`.
VENV := .venv
BIN := $(VENV)/bin
MODELS ?= local/smollm2-135m local/gemma3-270m
# recon is left out of the main job: its default size takes about 25 minutes per model on 2 cores (llama.cpp's
# prefill of every teacher-forced scoring call), too long beside the others; run it with `twinbench run recon`.
BENCHMARKS ?= survey deference
LOGS ?= logs/main
REPORT ?= build/report
SITE ?= build/leaderboard

.PHONY: setup demo test

setup:
	@bash scripts/setup.sh

# Every registered benchmark at its default size on each model, then the report and the leaderboard.
# Rerunning resumes: finished tasks are read back from $(LOGS), not run again.
demo: setup
	$(BIN)/twinbench run $(BENCHMARKS) $(foreach m,$(MODELS),--model $(m)) --log-dir $(LOGS)
	$(BIN)/twinbench report $(LOGS) -o $(REPORT)
	$(BIN)/twinbench leaderboard $(LOGS) -o $(SITE) --bundle
	@echo "leaderboard: file://$(abspath $(SITE))/index.html"

# Format, lint and types first (seconds; mypy's first run takes about 2 minutes), then the tests with the network cut.
test: setup
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	@bash scripts/ensure_chromium.sh
	bash scripts/offline.sh $(BIN)/python -m pytest
