"""The FastAPI app factory of every HTTP function, and its Lambda entry point."""

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.telemetry import TelemetryConfig

from shared.config import get_settings
from shared.http import errors, security
from shared.http.caching import CachedRead, CachedReads, checked
from shared.http.deps import OVERRIDES
from shared.http.routes import API_PREFIX

NO_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}


def create_app(
    title: str, *routers: APIRouter, cached_reads: Sequence[CachedRead[Any]] = ()
) -> FastAPI:
    """A function's FastAPI app: its routers' routes (whose roles and error answers come from
    the route table), the error envelope and the security middleware; `cached_reads` are
    answered from the cache ahead of the framework when they can be (`CachedReads`)."""
    settings = get_settings()
    app = FastAPI(
        title=title,
        # The routers' routes themselves, not `include_router`: FastAPI resolves an included
        # router's routes anew on every call (two scans of its routes and a merged handler),
        # which cost a /health call more than everything else it does.
        routes=[route for router in routers for route in router.routes],
        # DOCS_ENABLED off (the production default): no OpenAPI document is served.
        openapi_url=f"{API_PREFIX}/openapi.json" if settings.serves_docs else None,
        docs_url=None,
        redoc_url=None,
        version="1.0.0",
        # Metrics are Prometheus' (shared.metrics): no per-call OpenTelemetry checks.
        telemetry=NO_TELEMETRY,
    )
    # The routes were made by their routers, before the app: they read overrides from there.
    app.dependency_overrides = OVERRIDES.dependency_overrides
    if cached_reads:
        # Added before the security middleware, so inside it: its headers and limits apply.
        app.add_middleware(CachedReads, reads=checked(app, cached_reads))
    errors.install(app)
    security.install_security(app)
    app.state.settings = settings
    return app


def lambda_handler(function: str, app: FastAPI) -> Any:
    """The app as a Lambda handler (API Gateway HTTP API events), with the function's logs
    and metrics."""
    from mangum import Mangum

    from shared.observability import lambda_entry

    # lifespan="off": Mangum would otherwise run start-up on every invocation.
    return lambda_entry(function, Mangum(app, lifespan="off"))
