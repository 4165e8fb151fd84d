"""The local API gateway: dispatches each /api/v1 route to its function's Lambda entry point
with an API Gateway (HTTP API, payload 2.0) event, exactly as AWS would, using the one route
table in `shared/http/routes.py` — in this process, or over HTTP to the function's container
(infra/local/invoke.py). It also serves the merged OpenAPI document, /docs, /metrics,
and the single-page app."""

import asyncio
import base64
import importlib
import logging
import re
import threading
import time
import uuid
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.concurrency import run_in_threadpool

from infra.local.invoke import FunctionError, invoke
from infra.local.lambda_events import LambdaContext, http_event
from shared.http.errors import error_body
from shared.http.routes import API_PREFIX, HTTP_FUNCTIONS, ROUTES, Route
from shared.http.security import install_security
from shared.observability import CORRELATION_HEADER, configure_logging, correlation_id_from

logger = logging.getLogger("gateway")
FRONTEND_DIST = Path(__file__).resolve().parents[2] / "frontend" / "dist"
MAX_BODY_BYTES = 1024 * 1024
# A file name's extension ends the path (`.js`, `.json`): only the web app's own routes fall
# back to it, and those never end so (an approval-link token's last part is 43+ characters).
FILE_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")

HTTP_REQUESTS = Counter(
    "http_requests_total", "HTTP requests answered", ["method", "route", "status"]
)
HTTP_DURATION = Histogram(
    "http_request_duration_seconds", "Time to answer an HTTP request", ["method", "route"]
)


def _pattern(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path) + "$")


_COMPILED = [(route, _pattern(route.path)) for route in ROUTES]


def match(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    for route, pattern in _COMPILED:
        found = pattern.match(path)
        if found and route.method == method:
            return route, found.groupdict()
    return None


def path_exists(path: str) -> bool:
    return any(pattern.match(path) for _, pattern in _COMPILED)


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


def _invoke_in_worker(function: str, event: dict[str, Any]) -> Any:
    # In-process, Mangum drives the ASGI app on the calling thread's event loop, as on
    # Lambda's main thread; a gateway worker thread has none until we give it one.
    if getattr(_worker, "loop", None) is None:
        _worker.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(_worker.loop)
    return invoke(function, event, LambdaContext(function))


def create_gateway() -> FastAPI:
    gateway = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

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

    @gateway.api_route(
        "/api/v1/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]
    )
    async def dispatch(request: Request, rest: str) -> Response:
        return await _dispatch(request, request.url.path)

    # The probes at the root too (load balancers and orchestrators look there): the same
    # function and handler as under /api/v1, so a probe on either path tells the truth.
    @gateway.api_route("/health", methods=["GET", "HEAD"], include_in_schema=False)
    @gateway.api_route("/health/ready", methods=["GET", "HEAD"], include_in_schema=False)
    async def root_health(request: Request) -> Response:
        return await _dispatch(request, API_PREFIX + request.url.path)

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

    install_security(gateway)
    return gateway


async def _dispatch(request: Request, path: str) -> Response:
    """Answer an API call at `path` by invoking the function the route table names, as API
    Gateway would; HEAD is answered as GET (uvicorn sends no body)."""
    started = time.perf_counter()
    correlation_id = correlation_id_from(
        {"headers": {k.lower(): v for k, v in request.headers.items()}}
    ) or str(uuid.uuid4())
    method = "GET" if request.method == "HEAD" else request.method
    found = match(method, path)
    if found is None:
        route_label = "unmatched"
        response: Response = (
            JSONResponse(error_body("method_not_allowed", "Method not allowed."), 405)
            if path_exists(path)
            else JSONResponse(error_body("not_found", "No such route."), 404)
        )
    else:
        route, params = found
        route_label = route.path
        response = await _invoke(request, method, path, route, params, correlation_id)
    elapsed = time.perf_counter() - started
    response.headers[CORRELATION_HEADER] = correlation_id
    HTTP_REQUESTS.labels(request.method, route_label, str(response.status_code)).inc()
    HTTP_DURATION.labels(request.method, route_label).observe(elapsed)
    # The route template, never the raw path: approval-link paths carry a token.
    logger.info(
        "http request",
        extra={
            "method": request.method,
            "route": route_label,
            "status": response.status_code,
            "duration_ms": round(elapsed * 1000, 1),
            "correlation_id": correlation_id,
        },
    )
    return response


async def _invoke(
    request: Request,
    method: str,
    path: str,
    route: Route,
    params: dict[str, str],
    correlation_id: str,
) -> Response:
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        return JSONResponse(
            error_body("payload_too_large", f"The body exceeds {MAX_BODY_BYTES} bytes."), 413
        )
    event = http_event(
        method=method,
        path=path,
        route_key=f"{route.method} {route.path}",
        query_string=request.url.query,
        headers=[
            *((k, v) for k, v in request.headers.items() if k.lower() != CORRELATION_HEADER),
            (CORRELATION_HEADER, correlation_id),
        ],
        body=body,
        source_ip=request.client.host if request.client else "127.0.0.1",
        path_parameters=params,
    )
    try:
        result = await run_in_threadpool(_invoke_in_worker, route.function, event)
    except FunctionError as exc:
        return _bad_gateway(exc.function, exc.error_type, correlation_id)
    if not isinstance(result, dict) or not isinstance(result.get("statusCode"), int):
        return _bad_gateway(route.function, "Runtime.InvalidResponse", correlation_id)
    payload = result.get("body") or ""
    content = base64.b64decode(payload) if result.get("isBase64Encoded") else payload.encode()
    response = Response(content=content, status_code=int(result["statusCode"]))
    for name, value in (result.get("headers") or {}).items():
        response.headers[name] = value
    for name, values in (result.get("multiValueHeaders") or {}).items():
        for value in values:
            response.headers.append(name, value)
    for cookie in result.get("cookies") or []:
        response.headers.append("set-cookie", cookie)
    return response


def _bad_gateway(function: str, error_type: str, correlation_id: str) -> Response:
    # As API Gateway does, the client learns only that the function failed; its log has why.
    logger.error(
        "function failed",
        extra={"function": function, "error_type": error_type, "correlation_id": correlation_id},
    )
    return JSONResponse(error_body("bad_gateway", "The function serving this request failed."), 502)


configure_logging()
app = create_gateway()
