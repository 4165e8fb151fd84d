"""The FastAPI app factory of every HTTP function, and its Lambda entry point."""

from typing import Any

from fastapi import APIRouter, FastAPI

from shared.config import get_settings
from shared.http import errors, security

API_PREFIX = "/api/v1"


def create_app(title: str, *routers: APIRouter) -> FastAPI:
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
        app.include_router(router, prefix=API_PREFIX, responses=errors.ERROR_RESPONSES)
    app.state.settings = settings
    return app


def lambda_handler(function: str, app: FastAPI) -> Any:
    from mangum import Mangum

    from shared.observability import lambda_entry

    # lifespan="off": Mangum would otherwise run start-up on every invocation.
    return lambda_entry(function, Mangum(app, lifespan="off"))
