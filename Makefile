# Two commands do everything: `make html` builds the site, `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: html publish test screenshots lint serve clean bench system-deps

# The venv is (re)made from the pinned requirements whenever they change.
$(VENV)/.installed: requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps -e .
	@touch $@

$(VENV)/.test-installed: $(VENV)/.installed requirements-test.txt
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements-test.txt
	@touch $@

html: $(VENV)/.installed
	$(BIN)/python -m newsarchive.site.build

publish: $(VENV)/.installed
	$(BIN)/python -m newsarchive.site.build --settings publishconf.py

system-deps:
	@bash tests/install-system-deps.sh

# Two workers (the machine's two cores); a test file runs whole on one worker, in its order.
# pytest keeps the test modules it rewrites for their assertions as bytecode, unless
# PYTHONDONTWRITEBYTECODE says not to: then each worker rewrites them all again on every run.
test: $(VENV)/.test-installed system-deps
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest -n 2 --dist loadfile

# Pictures of every page kind at 1366 and 390 px in test-screenshots/, to look at (not a test).
screenshots: $(VENV)/.test-installed system-deps
	$(BIN)/python -m pytest -m screenshots tests/test_reading.py

lint: $(VENV)/.test-installed
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

serve:
	@test -d output || $(MAKE) html
	$(BIN)/python -m newsarchive.site.serve --bind $(HOST) --port $(PORT) --directory output

bench: $(VENV)/.test-installed system-deps
	$(BIN)/python -m bench.run

# everything a build makes: the site, its caches, and what killed builds left (older versions of
# the build named their search shards .pagefind-shards-*)
clean:
	rm -rf output .output.* .pagefind-shards-* cache .pytest_cache
