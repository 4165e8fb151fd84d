"""HTTP hardening shared by every function app and the local gateway (OWASP API8, API4).

`install_security(app)` adds one ASGI middleware that, on every response:

- sets `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer` (approval-link
  tokens live in URLs and must not leak through `Referer`), `X-Frame-Options: DENY`, a
  `Permissions-Policy`, `Cache-Control: no-store` on API answers, and a
  `Content-Security-Policy`: a locked-down one for the single-page app's HTML, a looser one
  only for the Swagger UI page, and `default-src 'none'` for everything else;
- sets `Strict-Transport-Security` when the request came over TLS (`X-Forwarded-Proto:
  https` from API Gateway or the proxy in front, else the ASGI scheme);
- answers CORS from the `CORS_ORIGINS` allow-list only: an allowed origin gets
  `Access-Control-Allow-Origin` with that exact origin (never `*`, never credentials); a
  preflight from any other origin is refused with 403 and no CORS headers;
- refuses bodies over `MAX_BODY_BYTES` with 413 (declared length, or counted as read), and
  input holding a NUL character with 422 (PostgreSQL text cannot store one: it would
  otherwise fail deep inside as a 500);
- hides `/docs` and the OpenAPI document (404) when `DOCS_ENABLED` is off.

Headers the app already set are left alone, so the gateway wrapping a function's answer
does not duplicate them. It also installs the uniform error handlers (no framework default
body, no stack trace) and a log filter that replaces approval-link tokens in access-log
lines (uvicorn) and Mangum's request lines with `[redacted]`.
"""

import json
import logging
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from shared.config import get_settings
from shared.http import errors
from shared.http.errors import INTERNAL_ERROR
from shared.http.routes import API_PREFIX

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

DOCS_PATHS = frozenset({"/docs", "/api/v1/docs", "/redoc", "/api/v1/openapi.json"})
SWAGGER_UI_PATHS = frozenset({"/docs", "/api/v1/docs"})
HSTS = "max-age=63072000; includeSubDomains"
CORS_METHODS = "GET, POST, PUT, PATCH, OPTIONS"
CORS_HEADERS = "Authorization, Content-Type, X-Correlation-Id"
CORS_EXPOSED = "Retry-After, X-Correlation-Id"
CORS_MAX_AGE = "600"

# The SPA: scripts only from our origin (no inline script, no eval). MUI/Emotion inject
# <style> elements at run time, hence 'unsafe-inline' for styles only.
SPA_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# Swagger UI (local docs only): its bundle comes from jsDelivr and it starts with an inline script.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "img-src 'self' data: https://fastapi.tiangolo.com; connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)
# JSON and everything else: nothing may load, nothing may frame it.
API_CSP = "default-src 'none'; frame-ancestors 'none'"

BASE_HEADERS: tuple[tuple[str, str], ...] = (
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=()"),
)


def _error(status: int, code: str, message: str) -> tuple[int, bytes]:
    body = {"error": {"code": code, "message": message, "details": None}}
    return status, json.dumps(body).encode()


class SecurityMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = get_settings()
        headers = _request_headers(scope)
        path: str = scope.get("path", "")
        tls = _came_over_tls(scope, headers)
        origin = headers.get("origin")
        allowed_origin = origin if origin and origin in settings.allowed_origins else None
        preflight = (
            scope["method"] == "OPTIONS"
            and origin is not None
            and "access-control-request-method" in headers
        )
        too_large = _error(
            413, "payload_too_large", f"The body exceeds {settings.max_body_bytes} bytes."
        )

        started = False

        async def send_decorated(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = _response_headers(
                    list(message.get("headers", [])),
                    path=path,
                    tls=tls,
                    allowed_origin=allowed_origin,
                    origin_sent=origin is not None,
                    preflight=preflight,
                )
            await send(message)

        if path in DOCS_PATHS and not settings.serves_docs:
            await _answer(send_decorated, _error(404, "not_found", "No such route."))
        elif preflight and allowed_origin is None:
            await _answer(
                send_decorated, _error(403, "cors_forbidden", "This origin may not call the API.")
            )
        elif preflight:
            await _answer(send_decorated, (204, b""))
        elif (
            _declared_length(headers) > settings.max_body_bytes
            or (messages := await _read_body(receive, settings.max_body_bytes)) is None
        ):
            await _answer(send_decorated, too_large)
        elif where := _nul_in(scope, messages, headers):
            await _answer(send_decorated, _nul_refused(where))
        else:
            try:
                await self.app(scope, _replay(messages, receive), send_decorated)
            except Exception:
                # Answer here so the 500 carries the headers too; the error handler outside
                # still logs the exception (it sees the answer started and sends nothing).
                if not started:
                    await _answer(send_decorated, _error(500, "internal_error", INTERNAL_ERROR))
                raise


def _nul_in(scope: Scope, messages: list[Message], headers: dict[str, str]) -> str | None:
    """Where a NUL character hides in the input, if anywhere. PostgreSQL text and file paths
    cannot hold one, so it is refused at the edge (422) rather than failing deep inside (500)."""
    raw_path = scope.get("raw_path") or scope.get("path", "").encode()
    if b"\x00" in raw_path or b"%00" in raw_path or "\x00" in scope.get("path", ""):
        return "path"
    query: bytes = scope.get("query_string", b"")
    if b"\x00" in query or b"%00" in query:
        return "query"
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request")
    form = headers.get("content-type", "").startswith("application/x-www-form-urlencoded")
    if b"\x00" in body or b"\\u0000" in body or (form and b"%00" in body):
        return "body"
    return None


def _nul_refused(where: str) -> tuple[int, bytes]:
    detail = {"loc": [where], "msg": "NUL characters are not accepted", "type": "nul_character"}
    body = {
        "error": {
            "code": "validation_error",
            "message": "The request is not valid.",
            "details": [detail],
        }
    }
    return 422, json.dumps(body).encode()


async def _answer(send: Send, answer: tuple[int, bytes]) -> None:
    status, body = answer
    headers = [(b"content-length", str(len(body)).encode())]
    if body:
        headers.append((b"content-type", b"application/json"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _request_headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _came_over_tls(scope: Scope, headers: dict[str, str]) -> bool:
    forwarded = headers.get("x-forwarded-proto")
    if forwarded is not None:  # set by API Gateway / the proxy that terminated TLS
        return forwarded.split(",")[0].strip().lower() == "https"
    if "aws.event" in scope:
        return False  # Mangum assumes https when the header is missing: do not guess
    return scope.get("scheme") == "https"


def _declared_length(headers: dict[str, str]) -> int:
    try:
        return int(headers.get("content-length", "0"))
    except ValueError:
        return 0


async def _read_body(receive: Receive, limit: int) -> list[Message] | None:
    """The request's body messages, or None once they exceed `limit` bytes. Counting what
    arrives catches a chunked or understated body that the declared length did not."""
    messages: list[Message] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages  # the client went away: let the app see it
        size += len(message.get("body", b""))
        if size > limit:
            return None
        if not message.get("more_body", False):
            return messages


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


def _response_headers(
    raw: list[tuple[bytes, bytes]],
    *,
    path: str,
    tls: bool,
    allowed_origin: str | None,
    origin_sent: bool,
    preflight: bool,
) -> list[tuple[bytes, bytes]]:
    present = {name.lower() for name, _ in raw}
    content_type = next((v for n, v in raw if n.lower() == b"content-type"), b"").decode()
    wanted: list[tuple[str, str]] = list(BASE_HEADERS)
    if content_type.startswith("text/html"):
        csp = DOCS_CSP if path in SWAGGER_UI_PATHS else SPA_CSP
    else:
        csp = API_CSP
    wanted.append(("content-security-policy", csp))
    if path.startswith(API_PREFIX):
        wanted.append(("cache-control", "no-store"))
    if tls:
        wanted.append(("strict-transport-security", HSTS))
    out = list(raw)
    out.extend((n.encode(), v.encode()) for n, v in wanted if n.encode() not in present)

    if origin_sent:
        out = _merge_vary(out, "Origin")
    if allowed_origin is not None:
        cors = [("access-control-allow-origin", allowed_origin)]
        if preflight:
            cors += [
                ("access-control-allow-methods", CORS_METHODS),
                ("access-control-allow-headers", CORS_HEADERS),
                ("access-control-max-age", CORS_MAX_AGE),
            ]
        else:
            cors.append(("access-control-expose-headers", CORS_EXPOSED))
        names = {n for n, _ in cors}
        out = [(n, v) for n, v in out if n.lower().decode() not in names]
        out.extend((n.encode(), v.encode()) for n, v in cors)
    return out


def _merge_vary(headers: list[tuple[bytes, bytes]], token: str) -> list[tuple[bytes, bytes]]:
    values = [v.decode() for n, v in headers if n.lower() == b"vary"]
    tokens = [t.strip() for v in values for t in v.split(",") if t.strip()]
    if token.lower() not in {t.lower() for t in tokens}:
        tokens.append(token)
    rest = [(n, v) for n, v in headers if n.lower() != b"vary"]
    return [*rest, (b"vary", ", ".join(tokens).encode())]


# --- log redaction -----------------------------------------------------------------------

_TOKEN_IN_PATH = re.compile(r"(/approval-links/|/approvals/)[^/?#\s\"']+")
REDACTED = "[redacted]"
REDACTED_LOGGERS = ("uvicorn.access", "mangum.http")


def redact(text: str) -> str:
    """The text with any approval-link token in a path replaced by `[redacted]`."""
    return _TOKEN_IN_PATH.sub(lambda m: m.group(1) + REDACTED, text)


class RedactLinkTokens(logging.Filter):
    """Replaces approval-link tokens in a record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {
                k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()
            }
        return True


def install_log_redaction() -> None:
    """Redact approval-link tokens from the access and Mangum loggers' lines (once)."""
    for name in REDACTED_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactLinkTokens) for f in logger.filters):
            logger.addFilter(RedactLinkTokens())


def install_security(app: Any) -> Any:
    """Harden a FastAPI app (call before it starts; returns the app): the middleware above,
    the log redaction, and the uniform error handlers (so no framework default answers with
    its own body, e.g. `{"detail": "Not Found"}`, or a stack trace)."""
    if not getattr(app.state, "error_handlers_installed", False):
        errors.install(app)
    if not getattr(app.state, "security_installed", False):
        app.add_middleware(SecurityMiddleware)
        app.state.security_installed = True
    install_log_redaction()
    return app


def is_installed(app: Any) -> bool:
    """Whether the security middleware wraps this app."""
    return any(m.cls is SecurityMiddleware for m in getattr(app, "user_middleware", []))
