"""The local API gateway: dispatches each /api/v1 route to its function's Lambda entry point
with an API Gateway (HTTP API, payload 2.0) event, exactly as AWS would, using the one route
table in `shared/http/routes.py` — in this process, or over HTTP to the function's container
(infra/local/invoke.py). It also serves the merged OpenAPI document, /docs, /metrics,
and the single-page app."""

import asyncio
import base64
import importlib
import json
import logging
import re
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

from infra.local.invoke import FunctionError, invoke, url_template
from infra.local.lambda_events import LambdaContext, http_event
from shared.db import size_pool_for
from shared.http.app import NO_TELEMETRY
from shared.http.errors import error_body
from shared.http.routes import API_PREFIX, HTTP_FUNCTIONS, ROUTES, Route
from shared.http.security import ASGIApp, Receive, Scope, Send, install_security
from shared.observability import CORRELATION_HEADER, configure_logging, correlation_id_from

logger = logging.getLogger("gateway")
FRONTEND_DIST = Path(__file__).resolve().parents[2] / "frontend" / "dist"
# A file name's extension ends the path (`.js`, `.json`): only the web app's own routes fall
# back to it, and those never end so (an approval-link token's last part is 43+ characters).
FILE_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")
# Under /api/v1 but the gateway's own: the merged OpenAPI document, the docs, the metrics.
GATEWAY_OWN = frozenset({"/api/v1/openapi.json", "/api/v1/docs", "/api/v1/metrics"})
ROOT_PROBES = frozenset({"/health", "/health/ready"})
# A label takes one of these, else "other": a client may send any token as a method, and each
# new one would be a new series in every process's metrics.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

HTTP_REQUESTS = Counter(
    "http_requests_total", "HTTP requests answered", ["method", "route", "status"]
)
HTTP_DURATION = Histogram(
    "http_request_duration_seconds", "Time to answer an HTTP request", ["method", "route"]
)


def _pattern(path: str) -> re.Pattern[str]:
    # Used with fullmatch: `$` would also match before a trailing newline (`/health%0A`).
    return re.compile(re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path))


Compiled = list[tuple[Route, re.Pattern[str]]]


def static_routes(compiled: Compiled) -> dict[tuple[str, str], Route]:
    """The routes without parameters, by method and path, that a scan of `compiled` in order
    would find first for their own path: those can be looked up rather than scanned for."""
    return {
        (route.method, route.path): route
        for i, (route, _) in enumerate(compiled)
        if "{" not in route.path
        and not any(
            earlier.method == route.method and pattern.fullmatch(route.path)
            for earlier, pattern in compiled[:i]
        )
    }


_COMPILED: Compiled = [(route, _pattern(route.path)) for route in ROUTES]
# /health sits 55th in the table, and is what load balancers call most.
_STATIC = static_routes(_COMPILED)


def match(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    if (route := _STATIC.get((method, path))) is not None:
        return route, {}
    for route, pattern in _COMPILED:
        found = pattern.fullmatch(path)
        if found and route.method == method:
            return route, found.groupdict()
    return None


def path_exists(path: str) -> bool:
    return any(pattern.fullmatch(path) for _, pattern in _COMPILED)


@cache
def merged_openapi() -> dict[str, Any]:
    """One document for the whole API, from each HTTP function's own schema."""
    merged: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "Credit approval API", "version": "1.0.0"},
        "paths": {},
        "components": {"schemas": {}, "securitySchemes": {}},
    }
    # The schemas are static code: read from the HTTP functions' apps here, never by invoking.
    for function in HTTP_FUNCTIONS:
        schema = importlib.import_module(f"functions.{function}.handler").app.openapi()
        for path, operations in schema.get("paths", {}).items():
            merged["paths"].setdefault(path, {}).update(operations)
        for section, entries in schema.get("components", {}).items():
            merged["components"].setdefault(section, {}).update(entries)
    return merged


_worker = threading.local()
# Function calls run on threads of their own: a plain executor hands a call over in about
# half the time of anyio's (its capacity limiter and cancel scopes serve nothing here), and a
# function does not run in a copy of the gateway's context. In this process, 16: each call
# may hold a database connection, which the pool keeps for it (`create_gateway`); with 40
# threads on the default pool of 5, the pool's overflow opened and closed a PostgreSQL
# connection for one first read in six under wrk, 16 connections. Under that load 4 and 40
# threads answered within the noise of each other (one GIL), so more would buy nothing
# there; a call that waits (on PostgreSQL, LocalStack) holds its thread, hence not fewer.
# Over HTTP (FUNCTION_URL_TEMPLATE) a call only waits on its container, for up to
# FUNCTION_TIMEOUT_SECONDS: 40, as many as Starlette's pool.
FUNCTION_THREADS = 16 if url_template() is None else 40
_functions = ThreadPoolExecutor(max_workers=FUNCTION_THREADS, thread_name_prefix="function")


def _invoke_in_worker(function: str, event: dict[str, Any]) -> Any:
    # In-process, Mangum drives the ASGI app on the calling thread's event loop, as on
    # Lambda's main thread; a gateway worker thread has none until we give it one.
    if getattr(_worker, "loop", None) is None:
        _worker.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(_worker.loop)
    return invoke(function, event, LambdaContext(function))


def create_gateway() -> FastAPI:
    # The functions invoked here share this process's pool: a connection for each thread.
    size_pool_for(FUNCTION_THREADS)
    gateway = FastAPI(docs_url=None, redoc_url=None, openapi_url=None, telemetry=NO_TELEMETRY)

    @gateway.get("/api/v1/openapi.json", include_in_schema=False)
    def openapi() -> JSONResponse:
        return JSONResponse(merged_openapi())

    @gateway.get("/docs", include_in_schema=False)
    @gateway.get("/api/v1/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/api/v1/openapi.json", title="Credit approval API")

    @gateway.get("/metrics", include_in_schema=False)
    @gateway.get("/api/v1/metrics", include_in_schema=False)
    def metrics() -> Response:
        from infra.local.workflow_metrics import scrape_registry

        # Live operational data: never stored by a browser or a shared cache.
        return Response(
            generate_latest(scrape_registry()),
            media_type=CONTENT_TYPE_LATEST,
            headers={"Cache-Control": "no-store"},
        )

    # Anything else under /api/ is an API path that does not exist: JSON 404, never the app.
    @gateway.api_route(
        "/api/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]
    )
    async def unknown_api(rest: str) -> Response:
        return JSONResponse(error_body("not_found", "No such route."), 404)

    @gateway.api_route("/{rest:path}", methods=["GET", "HEAD"], include_in_schema=False)
    def spa(rest: str) -> Response:
        asset = (FRONTEND_DIST / rest).resolve()
        if rest and asset.is_file() and FRONTEND_DIST in asset.parents:
            return FileResponse(asset)
        if FILE_EXTENSION.search(rest):
            # A file that is not there (a script, /openapi.json): 404, not the app's page.
            return JSONResponse(error_body("not_found", "No such file."), 404)
        index = FRONTEND_DIST / "index.html"
        if index.is_file():
            return FileResponse(index)
        return HTMLResponse(
            "<!doctype html><title>Credit approval</title><h1>Credit approval API</h1>"
            '<p>The web app is not built. API documentation: <a href="/docs">/docs</a>.</p>'
        )

    # Outermost first: the security middleware (headers, limits, CORS) wraps everything,
    # then API calls go straight to their functions, past FastAPI's routing.
    gateway.add_middleware(ApiDispatch)
    install_security(gateway)
    return gateway


class ApiDispatch:
    """API calls go to their function, as API Gateway sends them: the route table picks the
    function, an HTTP API (payload 2.0) event carries the call, the function's answer is sent
    back as it is. Plain ASGI, ahead of the gateway's own routes (the web app, docs, metrics):
    the function's app does the rest (its own security headers, limits, errors)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or path in GATEWAY_OWN:
            await self.app(scope, receive, send)
        elif path in ROOT_PROBES:
            # The probes at the root too (load balancers and orchestrators look there): the
            # same function and handler as under /api/v1, so a probe on either path tells the
            # truth.
            await _dispatch(scope, receive, send, API_PREFIX + path)
        elif path.startswith(API_PREFIX + "/"):
            await _dispatch(scope, receive, send, path)
        else:
            await self.app(scope, receive, send)


Answer = tuple[int, list[tuple[bytes, bytes]], bytes]


async def _dispatch(scope: Scope, receive: Receive, send: Send, path: str) -> None:
    """Answer an API call at `path` by invoking the function the route table names; HEAD is
    answered as GET (uvicorn sends no body)."""
    started = time.perf_counter()
    headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
    sent_id = next((v for k, v in headers if k.lower() == CORRELATION_HEADER), None)
    correlation_id = correlation_id_from({"headers": {CORRELATION_HEADER: sent_id}}) or str(
        uuid.uuid4()
    )
    method = "GET" if scope["method"] == "HEAD" else scope["method"]
    found = match(method, path)
    answer: Answer
    if found is None:
        route_label = "unmatched"
        answer = (
            _json(405, error_body("method_not_allowed", "Method not allowed."))
            if path_exists(path)
            else _json(404, error_body("not_found", "No such route."))
        )
    else:
        route, params = found
        route_label = route.path
        body = await _body(receive)
        answer = await _invoke(scope, headers, body, method, path, route, params, correlation_id)
    status, answer_headers, content = answer
    answer_headers.append((CORRELATION_HEADER.encode(), correlation_id.encode()))
    answer_headers.append((b"content-length", str(len(content)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": answer_headers})
    await send({"type": "http.response.body", "body": content})
    elapsed = time.perf_counter() - started
    method_label = scope["method"] if scope["method"] in METHODS else "other"
    HTTP_REQUESTS.labels(method_label, route_label, str(status)).inc()
    HTTP_DURATION.labels(method_label, route_label).observe(elapsed)
    # The route template, never the raw path: approval-link paths carry a token.
    logger.info(
        "http request",
        extra={
            "method": method_label,
            "route": route_label,
            "status": status,
            "duration_ms": round(elapsed * 1000, 1),
            "correlation_id": correlation_id,
        },
    )


def _json(status: int, body: dict[str, Any]) -> Answer:
    return status, [(b"content-type", b"application/json")], json.dumps(body).encode()


async def _body(receive: Receive) -> bytes:
    # The security middleware outside has already refused a body over MAX_BODY_BYTES.
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if message["type"] != "http.request" or not message.get("more_body", False):
            return b"".join(chunks)


async def _invoke(
    scope: Scope,
    headers: list[tuple[str, str]],
    body: bytes,
    method: str,
    path: str,
    route: Route,
    params: dict[str, str],
    correlation_id: str,
) -> Answer:
    client = scope.get("client")
    event = http_event(
        method=method,
        path=path,
        route_key=f"{route.method} {route.path}",
        query_string=scope.get("query_string", b"").decode("latin-1"),
        headers=[
            *((k, v) for k, v in headers if k.lower() != CORRELATION_HEADER),
            (CORRELATION_HEADER, correlation_id),
        ],
        body=body,
        source_ip=client[0] if client else "127.0.0.1",
        path_parameters=params,
    )
    try:
        result = await asyncio.get_running_loop().run_in_executor(
            _functions, _invoke_in_worker, route.function, event
        )
    except FunctionError as exc:
        return _bad_gateway(exc.function, exc.error_type, correlation_id)
    if not isinstance(result, dict) or not isinstance(result.get("statusCode"), int):
        return _bad_gateway(route.function, "Runtime.InvalidResponse", correlation_id)
    payload = result.get("body") or ""
    content = base64.b64decode(payload) if result.get("isBase64Encoded") else payload.encode()
    out = [
        (name.lower().encode("latin-1"), str(value).encode("latin-1"))
        for name, value in (result.get("headers") or {}).items()
        if name.lower() != "content-length"
    ]
    for name, values in (result.get("multiValueHeaders") or {}).items():
        out += [(name.lower().encode("latin-1"), str(v).encode("latin-1")) for v in values]
    out += [(b"set-cookie", cookie.encode("latin-1")) for cookie in result.get("cookies") or []]
    return int(result["statusCode"]), out, content


def _bad_gateway(function: str, error_type: str, correlation_id: str) -> Answer:
    # As API Gateway does, the client learns only that the function failed; its log has why.
    logger.error(
        "function failed",
        extra={"function": function, "error_type": error_type, "correlation_id": correlation_id},
    )
    return _json(502, error_body("bad_gateway", "The function serving this request failed."))


configure_logging()
app = create_gateway()
