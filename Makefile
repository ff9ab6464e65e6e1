# The two commands of README.md: `make demo` (main job on the embedded models) and `make test`.
VENV := .venv
BIN := $(VENV)/bin
MODELS ?= local/smollm2-135m local/gemma3-270m
# Every benchmark on the first model; survey and deference also on the others (recon and negotiation take 2-4x longer
# on Gemma: README, "Main job"). Recon at a main-job size (4 held-out actions; its default, 16, takes ~13 minutes).
BENCHMARKS ?= survey deference recon psi negotiation specserve
COMPARE ?= survey deference
RECON_ARGS ?= -T recon.individuals=2 -T recon.test=1
OTHER_MODELS := $(wordlist 2,$(words $(MODELS)),$(MODELS))
LOGS ?= logs/main
REPORT ?= build/report
SITE ?= build/leaderboard

.PHONY: setup demo test

setup:
	@bash scripts/setup.sh

# The main job: every benchmark (see above), then the report and the leaderboard.
# Rerunning resumes: finished tasks are read back from $(LOGS), not run again.
demo: setup
	$(BIN)/twinbench run $(BENCHMARKS) --model $(firstword $(MODELS)) $(if $(filter recon,$(BENCHMARKS)),$(RECON_ARGS)) --log-dir $(LOGS)
	$(if $(OTHER_MODELS),$(BIN)/twinbench run $(COMPARE) $(foreach m,$(OTHER_MODELS),--model $(m)) --log-dir $(LOGS))
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
