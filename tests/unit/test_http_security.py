"""The HTTP hardening middleware and the log redaction (shared.http.security), on a tiny app
of its own: headers, CSP by content type, HSTS only behind TLS, CORS, body limits, NUL
refusal, the docs switch, and 500s that carry the headers too."""

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.testclient import TestClient

from shared.config import get_settings
from shared.http import security

ALLOWED = "http://app.test"  # PUBLIC_URL's origin under tests


def _app() -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/api/v1/thing")
    def thing() -> dict[str, str]:
        return {"ok": "yes"}

    @app.post("/api/v1/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"size": len(await request.body())}

    @app.get("/api/v1/framed")
    def framed() -> JSONResponse:
        return JSONResponse({}, headers={"x-frame-options": "SAMEORIGIN"})

    @app.get("/api/v1/boom")
    def boom() -> None:
        raise RuntimeError("internal detail")

    @app.get("/page")
    def page() -> HTMLResponse:
        return HTMLResponse("<!doctype html><title>x</title>")

    @app.get("/docs")
    def docs() -> HTMLResponse:
        return HTMLResponse("<!doctype html><title>docs</title>")

    return security.install_security(app)


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(_app(), raise_server_exceptions=False) as http:
        yield http


@pytest.fixture
def settings() -> Iterator[Any]:
    current = get_settings()
    saved = dict(vars(current))
    yield current
    for name, value in saved.items():
        object.__setattr__(current, name, value)


def test_every_answer_is_hardened_once(client: TestClient) -> None:
    response = client.get("/api/v1/thing")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-security-policy"] == security.API_CSP
    assert "camera=()" in response.headers["permissions-policy"]
    # A header the app chose itself is left as it is, not doubled.
    framed = client.get("/api/v1/framed")
    assert framed.headers.get_list("x-frame-options") == ["SAMEORIGIN"]
    # Wrapping twice (the gateway around a function) adds nothing twice.
    double = TestClient(security.install_security(_app()))
    assert len(double.get("/api/v1/thing").headers.get_list("x-content-type-options")) == 1


def test_html_gets_the_spa_policy_and_the_docs_page_its_own(client: TestClient) -> None:
    assert client.get("/page").headers["content-security-policy"] == security.SPA_CSP
    assert client.get("/docs").headers["content-security-policy"] == security.DOCS_CSP
    assert "unsafe-inline" not in security.SPA_CSP.split("script-src")[1].split(";")[0]
    assert "cache-control" not in client.get("/page").headers  # only API answers


def test_hsts_only_when_the_request_came_over_tls(client: TestClient) -> None:
    assert "strict-transport-security" not in client.get("/api/v1/thing").headers
    tls = client.get("/api/v1/thing", headers={"x-forwarded-proto": "https"})
    assert tls.headers["strict-transport-security"] == security.HSTS
    http_proxy = client.get("/api/v1/thing", headers={"x-forwarded-proto": "http"})
    assert "strict-transport-security" not in http_proxy.headers
    with TestClient(_app(), base_url="https://testserver") as direct_tls:
        assert "strict-transport-security" in direct_tls.get("/api/v1/thing").headers


def test_mangums_guessed_scheme_is_not_taken_for_tls() -> None:
    scope: dict[str, Any] = {"scheme": "https", "aws.event": {}}
    assert not security._came_over_tls(scope, {})
    assert security._came_over_tls(scope, {"x-forwarded-proto": "https"})


def test_cors_allow_list(client: TestClient, settings: Any) -> None:
    ok = client.get("/api/v1/thing", headers={"origin": ALLOWED})
    assert ok.headers["access-control-allow-origin"] == ALLOWED
    assert ok.headers["vary"] == "Origin"
    assert "retry-after" in ok.headers["access-control-expose-headers"].lower()
    denied = client.get("/api/v1/thing", headers={"origin": "https://evil.example"})
    assert "access-control-allow-origin" not in denied.headers
    preflight = {"origin": ALLOWED, "access-control-request-method": "PATCH"}
    answered = client.options("/api/v1/thing", headers=preflight)
    assert answered.status_code == 204
    assert "PATCH" in answered.headers["access-control-allow-methods"]
    refused = client.options(
        "/api/v1/thing", headers={**preflight, "origin": "https://evil.example"}
    )
    assert refused.status_code == 403
    assert "access-control-allow-origin" not in refused.headers
    settings.cors_origins = ["https://partner.example"]
    moved = client.get("/api/v1/thing", headers={"origin": "https://partner.example"})
    assert moved.headers["access-control-allow-origin"] == "https://partner.example"


def test_vary_is_merged_not_duplicated() -> None:
    merged = security._merge_vary([(b"vary", b"Accept-Encoding")], "Origin")
    assert merged == [(b"vary", b"Accept-Encoding, Origin")]
    assert security._merge_vary(merged, "origin") == merged


def test_bodies_over_the_limit_are_refused_declared_or_streamed(
    client: TestClient, settings: Any
) -> None:
    settings.max_body_bytes = 100
    assert client.post("/api/v1/echo", content=b"x" * 100).json() == {"size": 100}
    declared = client.post("/api/v1/echo", content=b"x" * 101)
    assert declared.status_code == 413
    assert declared.json()["error"]["code"] == "payload_too_large"
    assert declared.headers["x-content-type-options"] == "nosniff"
    streamed = client.post("/api/v1/echo", content=iter([b"x" * 60, b"x" * 60]))
    assert streamed.status_code == 413


@pytest.mark.parametrize(
    ("query", "body", "content_type"),
    [
        ("q=%00", b"", "application/json"),
        ("", b'{"name": "a\\u0000b"}', "application/json"),
        ("", b"username=a%00&password=b", "application/x-www-form-urlencoded"),
        ("", b"raw\x00bytes", "text/plain"),
    ],
)
def test_nul_characters_are_refused_at_the_edge(
    client: TestClient, query: str, body: bytes, content_type: str
) -> None:
    response = client.post(
        f"/api/v1/echo?{query}", content=body, headers={"content-type": content_type}
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["type"] == "nul_character"


def test_percent_zero_zero_in_json_text_is_not_a_nul(client: TestClient) -> None:
    ok = client.post("/api/v1/echo", content=b'{"note": "100%00"}')
    assert ok.status_code == 200


def test_docs_can_be_switched_off(client: TestClient, settings: Any) -> None:
    assert client.get("/docs").status_code == 200
    settings.docs_enabled = False
    for path in ("/docs", "/api/v1/docs", "/api/v1/openapi.json"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_an_unexpected_error_answers_500_with_headers_and_no_detail(client: TestClient) -> None:
    response = client.get("/api/v1/boom")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert "internal detail" not in response.text
    assert response.headers["x-content-type-options"] == "nosniff"


def test_framework_defaults_never_answer_with_their_own_body(client: TestClient) -> None:
    missing = client.get("/nowhere")
    assert missing.json() == {
        "error": {"code": "not_found", "message": "Not Found", "details": None}
    }


# --- log redaction ------------------------------------------------------------------------


def _record(name: str, msg: str, args: tuple[Any, ...]) -> logging.LogRecord:
    return logging.LogRecord(name, logging.INFO, __file__, 1, msg, args, None)


def test_uvicorn_access_lines_lose_the_link_token() -> None:
    record = _record(
        "uvicorn.access",
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "POST", "/api/v1/approval-links/eyJ.abc.def?x=1", "1.1", 200),
    )
    security.RedactLinkTokens().filter(record)
    line = record.getMessage()
    assert "eyJ.abc.def" not in line
    assert "/api/v1/approval-links/[redacted]?x=1" in line


def test_mangum_and_spa_paths_lose_the_token_too() -> None:
    for path in ("/api/v1/approval-links/eyJ.abc.def", "/approvals/eyJ.abc.def"):
        record = _record("mangum.http", "%s %s %s", ("GET", path, 200))
        security.RedactLinkTokens().filter(record)
        assert "eyJ.abc.def" not in record.getMessage()
    assert security.redact("/api/v1/credit-requests/123") == "/api/v1/credit-requests/123"


def test_the_filters_are_installed_once_on_the_request_loggers() -> None:
    security.install_log_redaction()
    security.install_log_redaction()
    for name in security.REDACTED_LOGGERS:
        filters = logging.getLogger(name).filters
        assert sum(isinstance(f, security.RedactLinkTokens) for f in filters) == 1
