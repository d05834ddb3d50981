VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
INSTALL := $(PIP) install -c constraints.txt

.PHONY: run test lint bench bench-workers clean train-qa train-extractive train-stories

$(VENV)/bin/python:
	python3 -m venv $(VENV)

$(VENV)/.installed: pyproject.toml constraints.txt | $(VENV)/bin/python
	$(INSTALL) -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml constraints.txt | $(VENV)/bin/python
	$(INSTALL) -e '.[test]'
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	$(VENV)/bin/khulasa digest

test: $(VENV)/.installed-test
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check bot summarizer tests benchmarks
	$(VENV)/bin/ruff format --check --quiet bot summarizer tests benchmarks
	$(PY) -m pytest -q

# Several minutes on 2 cores; BENCH_ARGS='--tiny' for a smoke run, BENCH_ARGS=--help for options.
bench: $(VENV)/.installed-test
	$(PY) benchmarks/summarize_speed.py $(BENCH_ARGS)

# 1 vs 2 `khulasa worker` processes on a PostgreSQL it starts, and the job overhead per article;
# a few minutes on 2 cores. BENCH_ARGS='--tiny' for a smoke run, BENCH_ARGS=--help for options.
bench-workers: $(VENV)/.installed-test
	$(PY) benchmarks/worker_throughput.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) data/ .pytest_cache

# Retrain the weights shipped inside the package (deterministic; the data stays outside the repo):
#   make train-qa DATA=/path/to/arcd-train.jsonl
#   make train-extractive DATA=/path/to/easc-dev.jsonl
#   make train-stories DATA=/path/to/labelled-stories.jsonl
train-qa: $(VENV)/.installed
	@test -n "$(DATA)" || { echo "usage: make train-qa DATA=path/to/arcd-train.jsonl"; exit 2; }
	$(PY) -m summarizer.training.qa --data $(DATA) $(TRAIN_ARGS)

train-extractive: $(VENV)/.installed
	@test -n "$(DATA)" || { echo "usage: make train-extractive DATA=path/to/easc-dev.jsonl"; exit 2; }
	$(PY) -m summarizer.training.extractive --data $(DATA) $(TRAIN_ARGS)

train-stories: $(VENV)/.installed
	@test -n "$(DATA)" || { echo "usage: make train-stories DATA=path/to/labelled-stories.jsonl"; exit 2; }
	$(PY) -m summarizer.training.stories --data $(DATA) $(TRAIN_ARGS)
