"""The one way the local gateway and runner invoke a function.

By default (`make local`, the tests) the handler runs in the calling process. With
FUNCTION_URL_TEMPLATE set (docker compose), each function runs in its own container built from
functions/Dockerfile on the AWS Lambda Python base image, whose Runtime Interface Emulator
(RIE) serves `POST /2015-03-31/functions/function/invocations`: the event is posted there and
the function's answer comes back as JSON. Either way a function that fails raises
FunctionError, so callers handle one exception whatever ran the function.
"""

import importlib
import json
import logging
import os
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from functools import cache
from typing import Any

from shared.messaging.topology import FUNCTION_TIMEOUT_SECONDS

URL_TEMPLATE_VARIABLE = "FUNCTION_URL_TEMPLATE"
# Longer than the function timeout, which the RIE enforces itself (AWS_LAMBDA_FUNCTION_TIMEOUT
# in docker-compose.yml): a function that runs out of time is reported by the RIE, not cut
# short here.
HTTP_TIMEOUT_SECONDS = FUNCTION_TIMEOUT_SECONDS + 10
# Lambda's name for a timed-out invocation; the RIE answers one with this plain text instead.
TIMED_OUT = "Sandbox.Timedout"
TIMED_OUT_TEXT = b"Task timed out"

Handler = Callable[[dict[str, Any], Any], Any]
logger = logging.getLogger(__name__)


class FunctionError(Exception):
    """The function did not answer: it raised, timed out, or could not be reached.

    `message` may quote the function's exception, which can hold request data: callers log
    `error_type` only (the function's own log has the details) and never show either to clients.
    """

    def __init__(self, function: str, error_type: str, message: str) -> None:
        super().__init__(f"{function}: {error_type}")
        self.function = function
        self.error_type = error_type
        self.message = message


def url_template() -> str | None:
    """Read on every call, so a test can point one process at functions over HTTP."""
    return os.environ.get(URL_TEMPLATE_VARIABLE) or None


def function_url(function: str, template: str) -> str:
    # Compose service names use hyphens (fn-route-to-approver); function folders underscores.
    return template.format(function=function.replace("_", "-"))


@cache
def function_handler(function: str) -> Handler:
    module = importlib.import_module(f"functions.{function}.handler")
    handler: Handler = module.handler
    return handler


def invoke(function: str, event: dict[str, Any], context: Any) -> Any:
    """Run `function` on `event` and return its result. Over HTTP the runtime builds its own
    context, as Lambda does, so `context` only serves in-process calls."""
    template = url_template()
    if template is None:
        try:
            return function_handler(function)(event, context)
        except Exception as exc:
            # The function's own log line, as Lambda's runtime writes one for an unhandled
            # error; callers log only the error type.
            logger.exception("function raised", extra={"function": function})
            raise FunctionError(function, type(exc).__name__, str(exc)) from exc
    return _invoke_over_http(function, function_url(function, template), event)


_locks_guard = threading.Lock()
_locks: dict[str, threading.Lock] = {}


def _lock(function: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(function, threading.Lock())


def _invoke_over_http(function: str, url: str, event: dict[str, Any]) -> Any:
    lock = _lock(function)
    # The RIE runs one invocation at a time and refuses a concurrent one (400) instead of
    # queueing it, so this process queues them. The gateway and the runner invoke disjoint
    # sets of functions (HTTP ones; queue and scheduled ones), so a lock per process suffices.
    if not lock.acquire(timeout=HTTP_TIMEOUT_SECONDS):
        raise FunctionError(function, "Invoker.Busy", "the previous invocation did not finish")
    try:
        request = urllib.request.Request(
            url,
            data=json.dumps(event).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_SECONDS) as response:
                body: bytes = response.read()
                function_error = response.headers.get("X-Amz-Function-Error")
        except urllib.error.HTTPError as exc:
            # 502 when the function failed to initialise (its init error as the body), 400
            # for a concurrent invocation, 5xx for the emulator's own failures.
            raise _error(function, exc.read(), f"Invoke.Http{exc.code}") from exc
        except OSError as exc:  # refused, unresolvable host, timed out
            raise FunctionError(function, "Invoker.Unreachable", str(exc)) from exc
    finally:
        lock.release()
    return _result(function, body, function_error)


def _result(function: str, body: bytes, function_error: str | None) -> Any:
    try:
        payload = json.loads(body)
    except ValueError:
        raise _error(function, body, "Runtime.InvalidResponse") from None
    # The RIE answers an unhandled exception with 200 and the runtime's error document
    # ({"errorType", "errorMessage", ...}), without Lambda's X-Amz-Function-Error header;
    # honour the header too, for an emulator that sends it.
    if function_error or _is_error_document(payload):
        raise _error(function, body, function_error or "Unhandled")
    return payload


def _is_error_document(payload: Any) -> bool:
    return isinstance(payload, dict) and {"errorType", "errorMessage"} <= payload.keys()


def _error(function: str, body: bytes, fallback_type: str) -> FunctionError:
    """A FunctionError from an error answer: the runtime's error document when there is one,
    else the emulator's plain text (a timeout) or nothing (a runtime that exited)."""
    try:
        document = json.loads(body)
    except ValueError:
        document = None
    if _is_error_document(document):
        return FunctionError(function, str(document["errorType"]), str(document["errorMessage"]))
    if body.startswith(TIMED_OUT_TEXT):
        return FunctionError(function, TIMED_OUT, body.decode(errors="replace"))
    # An emulator whose runtime exited answers with an empty body.
    return FunctionError(
        function, fallback_type, body[:500].decode(errors="replace") or "no answer"
    )
