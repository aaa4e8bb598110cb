# Every target creates .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-sqlite test-postgres test-pgbouncer lint schema migrations bench docs graphiql-assets clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,docs]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/tenantry serve

# The three passes are independent (a database each, servers on free ports, temporary
# directories): `make test TEST_JOBS=3` runs them at once (.ci/run does), each pass's output
# printed whole when it ends; one after another by default.
TEST_JOBS ?= 1
PYTEST := $(BIN)/pytest -q -p no:cacheprovider --durations=15

test: $(STAMP)
	@$(MAKE) --no-print-directory --keep-going -j$(TEST_JOBS) --output-sync=target \
		test-sqlite test-postgres test-pgbouncer

# The suites that drive client tools (a browser, npm's GraphQL clients) and the documentation
# checks answer the same whatever the database: the PostgreSQL pass runs them, the other two
# leave them out when it runs (they are the suite's costliest minutes). The pass through
# PgBouncer (transaction pooling mode; .ci/start-pgbouncer starts one) also leaves out the
# input fuzzers and the differential test, which exercise the GraphQL layer, not the database
# connection.
CLIENT_TOOL_SUITES := tests/browser tests/persisted tests/relay tests/schema_tools tests/docs
NOT_THROUGH_POOLER := $(CLIENT_TOOL_SUITES) tests/fuzz tests/web/test_differential.py

test-sqlite: $(STAMP)
	@skip=""; if [ -n "$$TENANTRY_TEST_POSTGRES_URL" ]; then \
		skip="$(addprefix --ignore=,$(CLIENT_TOOL_SUITES))"; fi; \
	$(PYTEST) --db=sqlite $$skip

test-postgres: $(STAMP)
	@if [ -n "$$TENANTRY_TEST_POSTGRES_URL" ]; then \
		echo "PostgreSQL pass"; env -u TENANTRY_TEST_PGBOUNCER_URL $(PYTEST) --db=postgres; \
	else echo "TENANTRY_TEST_POSTGRES_URL is not set: PostgreSQL pass skipped"; fi

test-pgbouncer: $(STAMP)
	@if [ -n "$$TENANTRY_TEST_POSTGRES_URL" ] && [ -n "$$TENANTRY_TEST_PGBOUNCER_URL" ]; then \
		echo "PostgreSQL pass through PgBouncer"; \
		$(PYTEST) --db=postgres $(addprefix --ignore=,$(NOT_THROUGH_POOLER)); \
	else echo "TENANTRY_TEST_PGBOUNCER_URL is not set: pass through PgBouncer skipped"; fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

schema: $(STAMP)
	$(BIN)/tenantry export-schema > schema.graphql

# The project has released no migrations yet: models/migrations holds one initial migration.
migrations: $(STAMP)
	$(BIN)/tortoise -c models.dev_config.TORTOISE_ORM makemigrations

# Prints figures next to same-run baselines; writes bench/RESULTS.md. Needs wrk (installed if absent).
bench: $(STAMP)
	@command -v wrk >/dev/null || (command -v sudo >/dev/null && sudo apt-get install -y -q wrk || apt-get install -y -q wrk)
	$(BIN)/python -m bench

# Regenerates docs/reference/ from the code (a test fails when they are stale), then builds the
# site into site/ with --strict: a broken link, anchor or include, or a page not in nav, fails.
docs: $(STAMP)
	$(BIN)/python -m tools.docs_pages
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet
# GraphiQL's files, served by Tenantry itself (no CDN): pinned in the script, fetched with npm.
graphiql-assets:
	web/static/refresh-graphiql.sh

clean:
	rm -rf $(VENV) var .pytest_cache site
