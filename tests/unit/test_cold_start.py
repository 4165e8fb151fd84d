"""Queue-driven and scheduled functions pay at every cold start for what they import: none
of them may pull in the HTTP stack (FastAPI, Starlette, Mangum, uvicorn), nor what only some
calls need (it loads at first use), nor a part of the domain the step never reads. Module
names, not times: the time each import takes is the benchmark's (benchmarks/cold_start.py).

And a function that imports less must still import every table its rows point at: the ORM
cannot write a row whose foreign key names a table this process never mapped."""

import json
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from shared.messaging.topology import QUEUES, SCHEDULES

ROOT = Path(__file__).resolve().parents[2]
HTTP_STACK = ("fastapi", "starlette", "mangum", "uvicorn")
NON_HTTP_FUNCTIONS = sorted({q.function for q in QUEUES} | {s.function for s in SCHEDULES})
HTTP_FUNCTIONS = ("api", "decide", "submit")
# Loaded where first used, never when a queue or scheduled handler is imported: token
# signing (PyJWT, cryptography), the Redis client, email rendering (the email channel loads
# at notify's first email), password hashing and address validation (sign-in only), boto3
# (the first AWS call); and what the functions no longer use at all: pydantic-settings (the
# settings read the environment themselves), Powertools (consumer.py writes batch responses).
AT_FIRST_USE_ONLY = (
    "jwt",
    "cryptography",
    "redis",
    "jinja2",
    "babel",
    "argon2",
    "pwdlib",
    "email_validator",
    "boto3",
    "pydantic_settings",
    "aws_lambda_powertools",
)
# The parts of the domain a step never reads, by step.
SIGN_IN = ("shared.auth.service", "shared.auth.accounts", "shared.users.passwords")
NOT_READ_BY = {
    "score": (*SIGN_IN, "shared.notifications", "shared.tracking", "shared.governance"),
    "route_to_approver": (*SIGN_IN, "shared.notifications", "shared.tracking", "shared.governance"),
    "escalate": (*SIGN_IN, "shared.notifications", "shared.tracking", "shared.governance"),
    "notify": (*SIGN_IN, "shared.users.service", "shared.tracking", "shared.governance"),
    # It posts what notify queued: nothing of requests, stages, the policy or approval links.
    "deliver_webhook": (
        *SIGN_IN,
        "shared.credit",
        "shared.approvals",
        "shared.auth",
        "shared.notifications.notices",
    ),
    "outbox_relay": (
        "shared.credit",
        "shared.approvals",
        "shared.auth",
        "shared.users",
        "shared.audit",
        "shared.notifications",
    ),
    "nightly_backup": ("shared.credit", "shared.approvals", "shared.auth", "shared.notifications"),
    # It folds totals rows with SQL: nothing of requests, stages, users or the policy.
    "compact_stats": (
        "shared.credit",
        "shared.approvals",
        "shared.auth",
        "shared.users",
        "shared.notifications",
        "shared.governance",
        "shared.tracking.stats",
    ),
    # It rewrites rows: nothing of scoring, the policy, emails or the dashboard.
    "retention": (
        "shared.auth.service",
        "shared.auth.accounts",
        "shared.governance",
        "shared.tracking",
        "shared.notifications.notices",
    ),
}

_PROBE = """
import json, sys
import functions.{function}.handler
from shared.db import Base

unmapped = []
for table in Base.metadata.tables.values():
    for key in table.foreign_keys:
        try:
            key.column
        except Exception:
            unmapped.append(f"{{table.name}} -> {{key.target_fullname}}")
print(json.dumps({{"modules": sorted(sys.modules), "unmapped": unmapped}}))
"""


@cache
def _probe(function: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """The modules a fresh interpreter holds once it imported the function's handler, and the
    foreign keys whose table it did not map."""
    result = subprocess.run(
        [sys.executable, "-c", _PROBE.format(function=function)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(result.stdout)
    return frozenset(found["modules"]), tuple(found["unmapped"])


def _loaded(function: str, names: tuple[str, ...]) -> list[str]:
    """Which of `names` (packages or modules, with everything under them) the function loads."""
    modules = _probe(function)[0]
    return sorted(n for n in names if any(m == n or m.startswith(n + ".") for m in modules))


@pytest.mark.parametrize("function", NON_HTTP_FUNCTIONS)
def test_non_http_function_does_not_import_the_http_stack(function: str) -> None:
    assert _loaded(function, HTTP_STACK) == []


@pytest.mark.parametrize("function", NON_HTTP_FUNCTIONS)
def test_non_http_function_leaves_what_some_calls_need_to_their_first_use(function: str) -> None:
    assert _loaded(function, AT_FIRST_USE_ONLY) == []


@pytest.mark.parametrize("function", NON_HTTP_FUNCTIONS)
def test_non_http_function_does_not_import_the_domain_it_never_reads(function: str) -> None:
    assert _loaded(function, NOT_READ_BY[function]) == []


@pytest.mark.parametrize("function", [*NON_HTTP_FUNCTIONS, *HTTP_FUNCTIONS])
def test_every_function_maps_the_tables_its_rows_point_at(function: str) -> None:
    assert _probe(function)[1] == ()


def test_the_probe_sees_what_the_http_functions_use() -> None:
    assert _loaded("submit", ("fastapi", "mangum", "shared.auth.service")) == [
        "fastapi",
        "mangum",
        "shared.auth.service",
    ]
    assert set(NOT_READ_BY) == set(NON_HTTP_FUNCTIONS)
