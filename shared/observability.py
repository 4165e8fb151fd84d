"""Structured JSON logs and per-function metrics for every Lambda entry point.

Each log line is one JSON object carrying the context bound for the current invocation:
the function, the correlation id (from the `X-Correlation-Id` header at the gateway, then
carried by every event the call causes) and, once known, the credit request id — so one id
finds every line of a request's journey. Log fields are chosen by the caller; personal and
financial data (emails, incomes, scores, passwords, tokens) is never passed to a logger.
"""

import json
import logging
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from shared import metrics

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
_context: ContextVar[dict[str, str]] = ContextVar("log_context", default={})  # noqa: B039
CORRELATION_HEADER = "x-correlation-id"
_VALID_CORRELATION = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
METRICS_PORT_VARIABLE = "METRICS_PORT"
_metrics_served = threading.Event()
_metrics_lock = threading.Lock()

Handler = Callable[[dict[str, Any], Any], Any]


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_context.get(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(level: int = logging.INFO) -> None:
    """JSON log lines on stderr for the whole process (once, however many functions it runs)."""
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        return  # several functions share one process locally: configure once
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    # Mangum logs every raw path, and approval-link paths carry a token: keep it quiet.
    logging.getLogger("mangum").setLevel(logging.WARNING)


@contextmanager
def log_context(**fields: str | None) -> Iterator[None]:
    """Add fields to every log line written inside the block."""
    token = _context.set({**_context.get(), **{k: v for k, v in fields.items() if v}})
    try:
        yield
    finally:
        _context.reset(token)


def current_correlation_id() -> str | None:
    """The correlation id bound to the current invocation, if any."""
    return _context.get().get("correlation_id")


def correlation_id_from(event: dict[str, Any]) -> str | None:
    """The caller's correlation id on an HTTP event (if well-formed), else API Gateway's
    request id. Queue and schedule events carry theirs inside each message instead."""
    candidate = (event.get("headers") or {}).get(CORRELATION_HEADER)
    if candidate and _VALID_CORRELATION.match(candidate):
        return str(candidate)
    request_id = (event.get("requestContext") or {}).get("requestId")
    return str(request_id) if request_id else None


def serve_metrics_once() -> None:
    """With METRICS_PORT set (each function's container in docker-compose.yml), serve this
    process's metrics there for Prometheus, from the first invocation on: not at import, which
    would add to every cold start. Unset in AWS and in `make local`, where the gateway's
    /metrics adds up the processes' metrics instead."""
    port = os.environ.get(METRICS_PORT_VARIABLE)
    if not port or _metrics_served.is_set():
        return
    with _metrics_lock:
        if _metrics_served.is_set():
            return
        # Once per process even if it fails: a metrics endpoint must never fail an invocation.
        _metrics_served.set()
        from prometheus_client import start_http_server

        try:
            start_http_server(int(port))
        except (OSError, ValueError):
            logging.getLogger(__name__).exception("metrics endpoint not started")


def lambda_entry(function: str, handler: Handler) -> Handler:
    """Wrap a function's handler: log context, and invocation/error/duration metrics.
    An HTTP answer of 5xx counts as an error, as a raised exception does."""
    configure_logging()

    def entry(event: dict[str, Any], context: Any) -> Any:
        serve_metrics_once()
        started = time.perf_counter()
        failed = True
        try:
            with log_context(function=function, correlation_id=correlation_id_from(event)):
                result = handler(event, context)
            failed = isinstance(result, dict) and int(result.get("statusCode", 200)) >= 500
            return result
        finally:
            metrics.FUNCTION_INVOCATIONS.labels(function).inc()
            metrics.FUNCTION_DURATION.labels(function).observe(time.perf_counter() - started)
            if failed:
                metrics.FUNCTION_ERRORS.labels(function).inc()

    return entry
