"""Queue-driven and scheduled functions pay at every cold start for what they import: none
of them may pull in the HTTP stack (FastAPI, Starlette, Mangum, uvicorn)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from shared.messaging.topology import QUEUES, SCHEDULES

ROOT = Path(__file__).resolve().parents[2]
HTTP_STACK = ("fastapi", "starlette", "mangum", "uvicorn")
NON_HTTP_FUNCTIONS = sorted({q.function for q in QUEUES} | {s.function for s in SCHEDULES})


def _imported_top_level_packages(module: str) -> set[str]:
    probe = (
        f"import json, sys; import {module}; "
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(json.loads(result.stdout))


@pytest.mark.parametrize("function", NON_HTTP_FUNCTIONS)
def test_non_http_function_does_not_import_the_http_stack(function: str) -> None:
    imported = _imported_top_level_packages(f"functions.{function}.handler")
    assert imported.isdisjoint(HTTP_STACK), sorted(imported & set(HTTP_STACK))


def test_the_probe_sees_the_http_stack_where_it_is_used() -> None:
    assert {"fastapi", "mangum"} <= _imported_top_level_packages("functions.submit.handler")
