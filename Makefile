# Two commands: `make run` and `make test`. Everything else here is what they need.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.digihulp-installed

# Offline: every entry point (and the tests' conftest) sets the environment of assistant/runtime.py itself.

.PHONY: run test test-fast install model index evals lint bench bench-gaps bench-paths load clean-index browser

run: index
	$(BIN)/python app.py

# Lint first: a broken import contract fails `make test` before minutes of tests.
test: lint model browser
	$(BIN)/python -m pytest -q -p no:cacheprovider

# The fast tier: fakes, real Chroma and SQLite in tmp_path; no model needed (see tests/conftest.py).
test-fast: install
	$(BIN)/python -m pytest -q -p no:cacheprovider -m "not integration"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the project's dependencies change.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

model: install
	$(BIN)/python -m assistant.model install

index: model
	$(BIN)/python -m ingest --if-missing

# Debian's Chromium for the real-browser UI test (Playwright drives it; no browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian chromium for the browser test..."; \
	  (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || \
	  echo "WARNING: could not install chromium; the browser test will be skipped."; }

evals: model
	$(BIN)/python -m evals run --corpus corpus --dataset evals/datasets/sample.jsonl --data-dir data/evals-sample
	$(BIN)/python -m evals run --corpus ../shared/corpora/office-nl/docs --dataset evals/datasets/office-nl.jsonl --data-dir data/evals-office-nl

bench: model
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/query.py

# Gap board, freshness view and agenda on a generated six-month log of 5,000 questions (made once), and the
# clustering comparison on evals/datasets/clusters/gaps-clusters.jsonl.
bench-gaps: model
	@test -f data/bench-gaps/digihulp.sqlite3 || $(BIN)/python benchmarks/question_log.py --data-dir data/bench-gaps
	$(BIN)/python benchmarks/gap_board.py --data-dir data/bench-gaps
	$(BIN)/python benchmarks/clustering.py

# Every tip path the start check (corpus/startcheck.yaml) can give: bounds, existing tips, coverage (no model).
bench-paths: install
	$(BIN)/python benchmarks/startpaths.py

# The web app under 1-40 simulated colleagues plus a 10-minute soak (~17 min; see docs/operations.md).
load: model
	$(BIN)/python benchmarks/load.py

# Style, the import contracts (docs/architecture.md) and types.
lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-logo
	$(BIN)/mypy

clean-index:
	rm -rf $${DIGIHULP_DATA_DIR:-data}/chroma
