# One command to serve the demo, one to run every test (see README.md).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
WORKERS ?= 2
THREADS ?= 4
FLASK  := $(BIN)/flask --app app
# The links in the demo's mails (written by `flask demo` and the worker, outside any request)
# must point where `make run` serves.
RUN_URL ?= http://127.0.0.1:$(PORT)

.PHONY: run dev test bench bench-public bench-polls bench-reports bench-digest bench-scale-out install install-dev translations messages clean fonts

# The stamp files re-run pip only when pyproject.toml changes.
$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11+ is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed translations fonts
install-dev: $(VENV)/.installed-dev translations fonts

# PDFs (attendance list, booklet, minutes) with Arabic and Persian names need a font that has
# them: DejaVu Sans does, Noto Sans Arabic (Debian's fonts-noto-core) looks better. Installing
# system packages needs root, so this only says what is missing (.ci/run installs it).
fonts:
	@fc-list :lang=ar family 2>/dev/null | grep -q . || \
	  echo "  Note: no font with Arabic letters found; PDFs will show boxes. Install one: apt-get install fonts-noto-core"

translations: | $(BIN)/python
	$(BIN)/pybabel compile --statistics -d app/translations

# `make run` serves through gunicorn as production does (WORKERS processes with THREADS threads
# each; SQLite in WAL mode shares the file between them and the outbox worker); `make dev`
# through Flask's reloader, for changing the code. Both beside the outbox worker.
run: SERVER = $(BIN)/gunicorn --workers $(WORKERS) --threads $(THREADS) --bind 127.0.0.1:$(PORT) --no-control-socket 'app:create_app()'
dev: SERVER = $(FLASK) run --debug --host 127.0.0.1 --port $(PORT)
run dev: export BASE_URL ?= $(RUN_URL)
run dev: install
	$(FLASK) db upgrade
	$(FLASK) demo
	@echo
	@echo "  Treffpunkt runs at http://127.0.0.1:$(PORT)/"
	@echo "  Demo login: koordination@magdeburg.example / treffpunkt-demo"
	@echo
	@echo "  Mail: the outbox worker runs beside the server; without MAIL_SERVER"
	@echo "  mails land in the dev mailbox: http://127.0.0.1:$(PORT)/dev/mailbox"
	@echo
	@# Server and outbox worker side by side; Ctrl-C, SIGTERM/SIGHUP to this shell, or make
	@# itself going away (the watcher) stops both. Both run in the background so that the
	@# trap fires at once (a shell runs traps only between foreground commands).
	@$(FLASK) outbox work & worker=$$!; \
	$(SERVER) & server=$$!; \
	( while kill -0 $$PPID 2>/dev/null; do sleep 1; done; kill -TERM $$$$ 2>/dev/null ) & watcher=$$!; \
	trap 'kill -TERM $$server $$worker $$watcher 2>/dev/null; wait $$server $$worker; exit 130' INT TERM HUP; \
	wait $$server; status=$$?; \
	kill -TERM $$worker $$watcher 2>/dev/null; wait $$worker; exit $$status

# The linter first (seconds), then the suite on every core: pytest-xdist gives each worker its
# own database and keeps a file's tests together, so its module fixtures run once.
TEST_WORKERS ?= auto
test: install-dev
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --durations=15 $(PYTEST_ARGS)

bench: install-dev
	@command -v wrk >/dev/null || (apt-get install -y wrk || sudo apt-get install -y wrk)
	@for script in bench/[!_]*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

# Only the public pages in Chromium, throttled like a slow phone (also part of `make bench`).
bench-public: install-dev
	$(BIN)/python bench/public_pages.py

# A date poll of 40 dates × 200 people: on SQLite, then on a throwaway PostgreSQL database
# (skipped when no server answers on 127.0.0.1:5432; also part of `make bench`, SQLite only).
bench-polls: install-dev
	$(BIN)/python bench/polls.py
	$(BIN)/python bench/polls.py --postgres

# A network's year report (page, PDF, XLSX) over 5 years of events, 60,000 registrations and
# 8,000 anonymous counts: on SQLite, then on a throwaway PostgreSQL database (skipped when no
# server answers on 127.0.0.1:5432; also part of `make bench`, SQLite only).
bench-reports: install-dev
	$(BIN)/python bench/reports.py
	$(BIN)/python bench/reports.py --postgres

# The weekly digest for 5,000 subscribers with their filters and 200 coming dates: build and
# queue, time and queries, on SQLite and a throwaway PostgreSQL database (as above).
bench-digest: install-dev
	$(BIN)/python bench/digest.py
	$(BIN)/python bench/digest.py --postgres

# One gunicorn server (2 workers) against two, on a throwaway PostgreSQL database and Redis:
# 200 sign-ups for 50 places at once and the warm network feed, requests/s and p95 per setup
# (skipped when PostgreSQL, Redis or wrk is missing; also part of `make bench`).
bench-scale-out: install-dev
	$(BIN)/python bench/scale_out.py

clean:
	rm -rf $(VENV) instance .pytest_cache

# After changing UI text: collect the strings, then translate the new ones in de.po.
messages: | $(BIN)/python
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k _pl:1c,2 -k lazy_pgettext:1c,2 --no-location --sort-output \
		--project Treffpunkt -o app/translations/messages.pot .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching --ignore-obsolete
