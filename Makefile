# Every target sets up what it needs: `make demo` and `make test` work on a fresh clone with Python 3.11.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install generate goldens check-generated lint typecheck test test-fast demo screenshots check-docs docs bench clean

$(STAMP): pyproject.toml $(wildcard generated/*/__init__.py)
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) on PATH (or run make PYTHON=python3)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

generate: $(STAMP)
	$(PY) -m generator generate

goldens: $(STAMP)
	$(PY) -m generator generate --spec tests/golden/spec.yaml --out tests/golden/expected

check-generated: $(STAMP)
	$(PY) -m generator check

lint: $(STAMP)
	$(VENV)/bin/ruff check imgroup generator tests bench
	$(VENV)/bin/ruff format --check imgroup generator tests bench

typecheck: $(STAMP)
	MYPYPATH=generated $(VENV)/bin/mypy --strict -p feishu_im -p tencent_im -p yunxin_im -p imgroup_registry -p imgroup -p generator -p bench
	MYPYPATH=tests/golden/expected $(VENV)/bin/mypy --strict -p example_im

# One pytest worker more than the machine has cores: the end-to-end tests spend part of their time waiting (rate
# limits, redeliveries, processes starting), which the extra worker fills. On 2 cores the suite took 3m55 on 3
# workers, 4m43 on 2 and 4m07 on 4. Another count: make test TEST_WORKERS=4.
TEST_WORKERS ?= $(shell $(PY) -c "import os; print((os.cpu_count() or 1) + 1)")
# The suite starts over 200 Python processes (its workers, each importing every test module, and the commands, job
# workers and benchmarks the tests run). Where PYTHONDONTWRITEBYTECODE is set, as on the machines we work on, each
# compiled imgroup, the generated packages and the tests from source again. The tests write bytecode as Python does
# by default, into the __pycache__ folders git ignores (measured here: a worker collects the suite in 5.7 s of CPU
# instead of 11.7, a command starts in 0.45 s instead of 0.6).
PYTEST := env -u PYTHONDONTWRITEBYTECODE $(PY) -m pytest

test: $(STAMP) check-generated lint typecheck
	$(PYTEST) -q -n $(TEST_WORKERS) --dist loadfile

# The inner loop: the tests alone, stopping at the first failure (no regeneration check, ruff or mypy).
# Extra pytest arguments: make test-fast ARGS='-k listing'.
test-fast: $(STAMP)
	$(PYTEST) -q -n $(TEST_WORKERS) --dist loadfile -x $(ARGS)

demo: $(STAMP)
	$(PY) -m imgroup.demo

# docs/review-page.png: the review page of an offboarding planned on the emulator, taken by its browser test.
screenshots: $(STAMP)
	IMGROUP_SCREENSHOTS=docs $(PYTEST) -q -p no:xdist tests/test_review_page_browser.py -k offboarding

# The vendor pages live in ../shared/seeds beside a developer's checkout; a user's clone has none.
check-docs: $(STAMP)
	@if [ -d ../shared/seeds ]; then $(PY) -m generator check-docs --seeds; \
	else echo "no ../shared/seeds here: nothing to check (pass pages: python -m generator check-docs PAGE...)"; fi

docs: $(STAMP)
	$(PY) -m generator docs

bench: $(STAMP)
	$(PY) -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
