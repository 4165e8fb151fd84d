# The two commands: `make local` runs the whole stack, `make test` runs every test.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
# The first Python 3.13 that actually runs (a pyenv shim exists even when 3.13 is not active).
PYTHON313 ?= $(shell for p in python3.13 $(HOME)/.pyenv/versions/3.13*/bin/python3.13; do \
  "$$p" -c 'import sys; assert sys.version_info[:2] == (3, 13)' 2>/dev/null && { echo "$$p"; break; }; done)
# make's commands run the developer's stack: local mode (the settings' default is production).
export ENVIRONMENT ?= local
VENV := .venv
LOCALSTACK_VENV := .venv-localstack
CFNLINT_VENV := .venv-cfnlint
PIP_QUIET := --quiet --disable-pip-version-check
# This machine's pip.conf names index folders that may not exist; drop that noise only.
PIP_FILTER := 2>&1 | { grep -v "^WARNING: Location .* is ignored" || true; }

.PHONY: local test lint format restore dlq redrive audit-verify drill load-data docker-local install frontend frontend-test api-types bench soak bench-scale

install: $(VENV)/.installed $(LOCALSTACK_VENV)/.installed $(CFNLINT_VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -n "$(PYTHON313)" || { echo "Python 3.13 is required (the Lambda runtime): install it, or set PYTHON313=/path/to/python3.13"; exit 1; }
	$(PYTHON313) -m venv $(VENV)
	$(VENV)/bin/pip install $(PIP_QUIET) -r requirements-dev.txt $(PIP_FILTER)
	@touch $@

$(LOCALSTACK_VENV)/.installed: localstack/requirements.txt localstack/constraints.txt
	@test -n "$(PYTHON313)" || { echo "Python 3.13 is required for LocalStack host mode"; exit 1; }
	$(PYTHON313) -m venv $(LOCALSTACK_VENV)
	$(LOCALSTACK_VENV)/bin/pip install $(PIP_QUIET) -c localstack/constraints.txt -r localstack/requirements.txt $(PIP_FILTER)
	@touch $@

# cfn-lint (tests/unit/test_cfn_lint.py) in its own virtualenv: see infra/cfn-lint/requirements.txt.
$(CFNLINT_VENV)/.installed: infra/cfn-lint/requirements.txt
	@test -n "$(PYTHON313)" || { echo "Python 3.13 is required for cfn-lint's virtualenv"; exit 1; }
	$(PYTHON313) -m venv $(CFNLINT_VENV)
	$(CFNLINT_VENV)/bin/pip install $(PIP_QUIET) -r infra/cfn-lint/requirements.txt $(PIP_FILTER)
	@touch $@

## The web app (frontend/): npm ci only when the lock file changes; the build only when a source does.
FRONTEND_INSTALLED := frontend/node_modules/.installed
FRONTEND_SOURCES := $(shell find frontend/src -type f 2>/dev/null) frontend/index.html \
  frontend/vite.config.ts frontend/tsconfig.json

$(FRONTEND_INSTALLED): frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	@touch $@

frontend/dist/index.html: $(FRONTEND_INSTALLED) $(FRONTEND_SOURCES)
	cd frontend && npm run build

frontend: frontend/dist/index.html

## After an API change: the OpenAPI snapshot and the web app's types generated from it
## (frontend/openapi.json, frontend/src/api/schema.ts); make test fails while they are stale.
api-types: $(VENV)/.installed $(FRONTEND_INSTALLED)
	cd frontend && npm run api:types

## Component and unit tests of the web app (Vitest + Testing Library).
frontend-test: $(FRONTEND_INSTALLED)
	cd frontend && npm test -- --run

## Run the whole stack in the foreground: Postgres, Redis, LocalStack, gateway, runner, schedules.
local: install frontend
	$(VENV)/bin/python -m infra.local.stack up

## Lint, type-check, the web app's component tests, then browser, unit, integration and
## end-to-end tests against real services (the browser tests need the built web app).
test: install lint frontend frontend-test
	$(VENV)/bin/python -m infra.local.stack test -- $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports --no-logo

format: $(VENV)/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## Restore a nightly backup: make restore BACKUP=<s3 key> [TARGET_DATABASE_URL=...]
restore: install
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=<key> [TARGET_DATABASE_URL=postgresql+psycopg://...]"; exit 1; }
	$(VENV)/bin/python -m infra.local.stack run -- $(VENV)/bin/python -m shared.backup.restore "$(BACKUP)" $(if $(TARGET_DATABASE_URL),--target "$(TARGET_DATABASE_URL)")

## Dead-letter queues: each one's depth, oldest message's age and a sample body.
dlq: install
	$(VENV)/bin/python -m infra.local.stack run -- $(VENV)/bin/python -m shared.messaging.dlq list

## Move a queue's dead letters back to it: make redrive QUEUE=<queue, e.g. score or score-dlq>
redrive: install
	@test -n "$(QUEUE)" || { echo "usage: make redrive QUEUE=<name> (see make dlq)"; exit 1; }
	$(VENV)/bin/python -m infra.local.stack run -- $(VENV)/bin/python -m shared.messaging.dlq redrive "$(QUEUE)"

## Walk every audit hash chain; exit 1 naming the first broken row (id, chain, expected vs found).
audit-verify: install
	$(VENV)/bin/python -m infra.local.stack run -- $(VENV)/bin/python -m shared.audit.verify

## Load REQUESTS credit requests (default 100000) with their stages and audit rows, by COPY.
load-data: install
	$(VENV)/bin/python -m infra.local.stack run -- $(VENV)/bin/python -m infra.local.load_data $(if $(REQUESTS),--requests $(REQUESTS))

## Restore drill: back up, restore into <database>_drill, compare row counts and checksums,
## print the RTO. REQUESTS=<n> loads that many requests first.
drill: install
	$(VENV)/bin/python -m infra.local.stack run -- $(VENV)/bin/python -m infra.local.drill $(if $(REQUESTS),--requests $(REQUESTS))

## Every performance figure next to its target (README "Latest benchmark"), as ratios to
## baselines measured in the same run, p50/p95/p99, on a stack of its own: import times (P1),
## LocalStack's raw SQS/SNS/SES throughput, the request path (P2), the pipeline under load
## (P4) and each step's CPU per submission, the policy cache. Shorter: BENCH_SECONDS=20
## BENCH_HTTP_SECONDS=5 make bench; one section: BENCH_SKIP (benchmarks/__main__.py).
bench: $(VENV)/.installed
	$(VENV)/bin/python -m infra.local.stack run -- $(VENV)/bin/python -m benchmarks

## The soak (issue 11), apart from make bench: DURATION seconds (default 600) of mixed
## traffic on a stack of its own: submissions at RATE a second (default 8, see
## benchmarks/soak.py), list polling, decisions in the app and by emailed link, /stats.
## Reports 5xx by route, each process's memory growth, and per minute the queue depths and
## the approver email's latency. Shorter: make soak DURATION=120. On a machine whose shared
## LocalStack restarts, give the run one of its own: AWS_ENDPOINT_URL=http://127.0.0.1:4567
DURATION ?= 600
soak: $(VENV)/.installed
	$(VENV)/bin/python -m infra.local.stack run -- $(VENV)/bin/python -m benchmarks soak --seconds $(DURATION) $(if $(RATE),--rate $(RATE))

## Issue 9 P3, apart from `make bench` (it needs a 1M-request database): every list query's
## p50/p95 at 10k requests against 1M, and /stats at 1M. Seeds credit_scale_10k and
## credit_scale_1m on first use (minutes) and keeps them; SCALE_ARGS=--drop removes them after.
## The plans behind it: python -m benchmarks.query_plans --database-url <url>.
bench-scale: $(VENV)/.installed
	$(VENV)/bin/python -m infra.local.stack run -- $(VENV)/bin/python -m benchmarks.scale $(SCALE_ARGS)

## Where a Docker engine exists: the same stack in containers.
docker-local:
	docker compose up --build
