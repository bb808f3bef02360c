# Two commands a person needs: `make run` (set up, start the server) and `make test`
# (set up, lint, type-check, run every test). Both work on a machine with only Python 3.11+.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint typecheck pytest bench bench-ngircd profile fuzz mutate setup clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,fast]'
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/parley-server $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests fuzz
	$(BIN)/ruff format --check src tests fuzz

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	bash scripts/system-deps.sh
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck pytest

bench: $(STAMP)
	$(BIN)/parley-bench matrix $(ARGS)

# The same matrix beside ngircd (Debian's C IRC server, spoken to over IRC) in the same run;
# DIALECT=irc measures Parley through its IRC door as well.
DIALECT ?= chat1
bench-ngircd: $(STAMP)
	bash scripts/bench-deps.sh
	$(BIN)/parley-bench matrix --baseline ngircd --dialect $(DIALECT) $(ARGS)

# Where the server's CPU goes on one bench row (ARGS: scripts/profile.py options, e.g.
# ARGS='--run "-n 10 -s 10 -m 20000 --dialect irc"').
profile: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[profile]'
	$(BIN)/python scripts/profile.py $(ARGS)

# Coverage-guided fuzzing of every parser; FUZZ_RUNS inputs (default one million).
# FUZZ_ONLY=irc: the framer and the IRC codec alone (and not the client's command parser).
FUZZ_RUNS ?= 1000000
FUZZ_ONLY ?=
fuzz: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[fuzz]'
	mkdir -p .fuzz-corpus && cp fuzz/seeds/* .fuzz-corpus/
	FUZZ_ONLY=$(FUZZ_ONLY) $(BIN)/python fuzz/fuzz_parsers.py -atheris_runs=$(FUZZ_RUNS) -max_len=512 .fuzz-corpus
	$(if $(FUZZ_ONLY),,mkdir -p .fuzz-client-corpus)
	$(if $(FUZZ_ONLY),,$(BIN)/python fuzz/fuzz_client_commands.py -atheris_runs=$(FUZZ_RUNS) -max_len=512 .fuzz-client-corpus)

# Mutation testing of the protocol codecs and the chat core (docs/mutation.md), in a copy
# under build/mutate/; ARGS go to scripts/mutate.py (--retest, --fresh, a mutant glob).
mutate: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[mutate]'
	$(BIN)/python scripts/mutate.py $(ARGS)

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
