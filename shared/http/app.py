"""The FastAPI app factory of every HTTP function, and its Lambda entry point."""

from typing import Any

from fastapi import APIRouter, FastAPI

from shared.config import get_settings
from shared.http import errors, security
from shared.http.routes import API_PREFIX


def create_app(title: str, *routers: APIRouter) -> FastAPI:
    """A function's FastAPI app: its routers (whose routes and roles come from the route
    table), the error envelope and the security middleware."""
    settings = get_settings()
    app = FastAPI(
        title=title,
        # DOCS_ENABLED off (the production default): no OpenAPI document is served.
        openapi_url=f"{API_PREFIX}/openapi.json" if settings.serves_docs else None,
        docs_url=None,
        redoc_url=None,
        version="1.0.0",
    )
    errors.install(app)
    security.install_security(app)
    for router in routers:
        app.include_router(router, responses=errors.ERROR_RESPONSES)
    app.state.settings = settings
    return app


def lambda_handler(function: str, app: FastAPI) -> Any:
    """The app as a Lambda handler (API Gateway HTTP API events), with the function's logs
    and metrics."""
    from mangum import Mangum

    from shared.observability import lambda_entry

    # lifespan="off": Mangum would otherwise run start-up on every invocation.
    return lambda_entry(function, Mangum(app, lifespan="off"))
