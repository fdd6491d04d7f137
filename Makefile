# Latent Motion: `make book` builds the book, `make test` runs the tests.
# Both start from nothing but Python 3.11 and pip: the virtual environment is
# created on first use and reinstalled only when pyproject.toml changes.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# `make book PROFILE=smoke` builds a quick version of the whole book.
PROFILE ?= full
PYTEST_ARGS ?=

.PHONY: book test benchmark clean install

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -e ".[book,test]"
	touch $(STAMP)

book: $(STAMP)
	$(BIN)/python -m analysis book execute --profile $(PROFILE)
	$(BIN)/python -m analysis book build

# pytest exits with 5 when it collected nothing; that is a failure too.
test: $(STAMP)
	@status=0; $(BIN)/python -m pytest $(PYTEST_ARGS) || status=$$?; \
	if [ $$status -eq 5 ]; then echo "error: pytest collected no tests" >&2; fi; \
	exit $$status

benchmark: $(STAMP)
	$(BIN)/python benchmarks/train_speed.py
	$(BIN)/python benchmarks/gradient_paths.py
	$(BIN)/python benchmarks/baselines_speed.py
	$(BIN)/python benchmarks/gaitdynamics_speed.py
	$(BIN)/python benchmarks/audit_speed.py
	$(BIN)/python benchmarks/relevance_speed.py
	$(BIN)/python benchmarks/beyond_speed.py
	$(BIN)/python benchmarks/vae_synthesis_speed.py
	$(BIN)/python benchmarks/gengait_speed.py

clean:
	rm -rf book/_build book/_executed
