"""Every error answer has one shape: {"error": {"code", "message", "details"}}."""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException

from shared.errors import DomainError, ServiceUnavailable, TooManyRequests

logger = logging.getLogger(__name__)
INTERNAL_ERROR = "Something went wrong on our side."  # the only thing a 500 ever says
UNAVAILABLE = "The service is briefly unavailable. Try again in a few seconds."
RETRY_AFTER_SECONDS = 5

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
}


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: Any = None


class ErrorBody(BaseModel):
    """The shape of every error answer (documented in OpenAPI as each operation's default)."""

    error: ErrorDetail


_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again",
        "schema": {"type": "integer"},
    }
}
_MEANINGS: dict[int, str] = {
    401: "Not signed in, or the session has ended (code `unauthorized`, `token_expired`, ...)",
    403: "Signed in, but this role or this person may not do this (code says why)",
    404: "No such resource, or not one this caller may see",
    409: "The resource's state does not allow this now (code says why, e.g. `not_pending`)",
    410: "The link was used or has expired (`link_used`, `link_expired`)",
    413: "The body is larger than the API accepts",
}
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorBody, "description": "The request is not valid (details per field)"},
    503: {
        "model": ErrorBody,
        "description": "A dependency (the database) is down: retry after Retry-After seconds",
        "headers": _RETRY_AFTER,
    },
    "default": {"model": ErrorBody, "description": "Any other error, in the same envelope"},
}
"""Declared by every operation; the route table adds what each route can also answer."""


def declared(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI responses for these error codes, each with the error envelope."""
    return {code: {"model": ErrorBody, "description": _MEANINGS[code]} for code in codes}


RATE_LIMITED: dict[int | str, dict[str, Any]] = {
    429: {
        "model": ErrorBody,
        "description": "Too many attempts: wait the number of seconds in Retry-After",
        "headers": _RETRY_AFTER,
    }
}


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    """The one error envelope: `{"error": {"code", "message", "details"}}`."""
    return {"error": {"code": code, "message": message, "details": details}}


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    # Echoing the rejected input back could leak what a user typed (passwords): omit it.
    return [
        {"loc": list(err.get("loc", ())), "msg": err.get("msg", ""), "type": err.get("type", "")}
        for err in exc.errors()
    ]


def install(app: FastAPI) -> None:
    """Make every error the app raises answer with the envelope, and no 500 say more than that
    something went wrong."""
    app.state.error_handlers_installed = True

    @app.exception_handler(DomainError)
    async def domain_error(_: Request, exc: DomainError) -> JSONResponse:
        headers = (
            {"Retry-After": str(exc.retry_after)}
            if isinstance(exc, TooManyRequests | ServiceUnavailable)
            else None
        )
        if exc.status_code == 401:
            headers = {"WWW-Authenticate": "Bearer"}
        return JSONResponse(
            error_body(exc.code, exc.message, exc.details), exc.status_code, headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(
            error_body("validation_error", "The request is not valid.", _validation_details(exc)),
            422,
        )

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "error")
        return JSONResponse(
            error_body(code, str(exc.detail)),
            exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeout)
    async def unavailable(_: Request, exc: Exception) -> JSONResponse:
        # The database is down, restarting or saturated: the client should come back, not
        # read a 500. (A deadlock is an OperationalError too, and a retry is its remedy.)
        logger.warning("database unavailable", extra={"error_type": type(exc).__name__})
        return JSONResponse(
            error_body("service_unavailable", UNAVAILABLE),
            503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error")
        return JSONResponse(error_body("internal_error", INTERNAL_ERROR), 500)
