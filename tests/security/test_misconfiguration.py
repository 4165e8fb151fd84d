"""API8 (security misconfiguration): a strict CORS allow-list, security headers on every
answer (a CSP fit for the single-page app, nosniff, no referrer, HSTS behind TLS), no stack
traces in responses, and the API documentation off unless configured on."""

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from sqlalchemy import select

from shared.audit.models import AuditLog
from shared.config import get_settings
from shared.db import unit_of_work
from shared.http import security
from tests.conftest import running_stack
from tests.security.conftest import Caller
from tests.support import Api

ALLOWED = "http://app.test"  # PUBLIC_URL's origin in tests (tests/conftest.py)
EVIL = "https://evil.example"


@pytest.fixture
def settings_override() -> Iterator[Any]:
    """Change settings for one test; every process-wide value is restored afterwards."""
    settings = get_settings()
    saved = dict(vars(settings))
    yield settings
    for name, value in saved.items():
        object.__setattr__(settings, name, value)


def _assert_hardened(response: Any, *, html: bool = False) -> None:
    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "DENY"
    csp = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    if not html:
        assert csp.startswith("default-src 'none'")
    for name in ("x-content-type-options", "referrer-policy", "content-security-policy"):
        assert len(headers.get_list(name)) == 1, name  # gateway and function do not double up


def test_the_local_gateway_has_the_security_middleware_installed() -> None:
    from infra.local.gateway import app

    assert security.is_installed(app), (
        "wire it in infra/local/gateway.py create_gateway(), before `return gateway`: "
        "install_security(gateway)  (from shared.http.security import install_security)"
    )


def test_api_answers_carry_the_security_headers(api: Api, callers: dict[str, Caller]) -> None:
    auth = callers["applicant"].auth
    answers = [
        api.http.get("/api/v1/health"),
        api.http.get("/api/v1/users/me", headers=auth),
        api.http.get("/api/v1/users/me"),  # 401
        api.http.get("/api/v1/users", headers=auth),  # 403
        api.http.get("/api/v1/credit-requests/not-a-uuid", headers=auth),  # 422
        api.http.post("/api/v1/token", data={"username": "x", "password": "y"}),
    ]
    for response in answers:
        _assert_hardened(response)
        assert response.headers["cache-control"] == "no-store"  # personal data is not cached


def test_gateway_answers_carry_the_security_headers_too(api: Api) -> None:
    for response in (
        api.http.get("/api/v1/no-such-route"),
        api.http.delete("/api/v1/users/me"),
        api.http.get("/api/v1/openapi.json"),
        api.http.post(
            "/api/v1/users",
            content=b"x" * (get_settings().max_body_bytes + 1),
            headers={"content-type": "application/json"},
        ),
    ):
        _assert_hardened(response)


def test_the_single_page_app_gets_a_strict_content_security_policy(api: Api) -> None:
    for path in ("/", "/approvals/some-link-token", "/requests/abc"):
        page = api.http.get(path)
        assert page.headers["content-type"].startswith("text/html")
        _assert_hardened(page, html=True)
        directives = dict(
            d.strip().split(" ", 1) for d in page.headers["content-security-policy"].split(";")
        )
        assert directives["default-src"] == "'self'"
        assert directives["script-src"] == "'self'"  # no inline script, no eval, no CDN
        assert directives["object-src"] == "'none'"
        assert directives["base-uri"] == "'self'"
        assert directives["connect-src"] == "'self'"


def test_strict_transport_security_only_when_the_request_came_over_tls(api: Api) -> None:
    plain = api.http.get("/api/v1/health")
    assert "strict-transport-security" not in plain.headers
    for path in ("/api/v1/health", "/"):
        tls = api.http.get(path, headers={"x-forwarded-proto": "https"})
        assert tls.headers["strict-transport-security"].startswith("max-age=")
        assert int(tls.headers["strict-transport-security"].split("=")[1].split(";")[0]) >= 31536000


def test_cors_answers_only_allow_listed_origins(api: Api) -> None:
    allowed = api.http.get("/api/v1/health", headers={"origin": ALLOWED})
    assert allowed.headers["access-control-allow-origin"] == ALLOWED
    assert "origin" in allowed.headers["vary"].lower()
    assert "access-control-allow-credentials" not in allowed.headers  # bearer tokens, no cookies
    for origin in (EVIL, "null", "http://app.test.evil.example", "http://app.test:8080"):
        response = api.http.get("/api/v1/health", headers={"origin": origin})
        assert "access-control-allow-origin" not in response.headers, origin
    for response in (allowed, api.http.get("/api/v1/health", headers={"origin": EVIL})):
        assert "*" not in response.headers.get("access-control-allow-origin", "")


def test_cors_preflight_is_answered_for_allowed_origins_only(api: Api) -> None:
    ask = {
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization",
    }
    allowed = api.http.options("/api/v1/credit-requests", headers={"origin": ALLOWED, **ask})
    assert allowed.status_code == 204
    assert allowed.headers["access-control-allow-origin"] == ALLOWED
    assert "POST" in allowed.headers["access-control-allow-methods"]
    assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
    refused = api.http.options("/api/v1/credit-requests", headers={"origin": EVIL, **ask})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "cors_forbidden"
    assert "access-control-allow-origin" not in refused.headers


def test_cors_origins_setting_replaces_the_default(api: Api, settings_override: Any) -> None:
    settings_override.cors_origins = ["https://partner.example"]
    assert (
        api.http.get("/api/v1/health", headers={"origin": "https://partner.example"}).headers[
            "access-control-allow-origin"
        ]
        == "https://partner.example"
    )
    default = api.http.get("/api/v1/health", headers={"origin": ALLOWED})
    assert "access-control-allow-origin" not in default.headers


def test_no_stack_trace_or_internal_detail_in_any_error(
    api: Api, callers: dict[str, Caller], monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared.users import service

    def explode(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret-internal-detail at /work/main/shared/users/service.py")

    monkeypatch.setattr(service, "list_page", explode)
    crashed = api.http.get("/api/v1/users", headers=callers["admin"].auth)
    assert crashed.status_code == 500
    assert crashed.json() == {
        "error": {
            "code": "internal_error",
            "message": "Something went wrong on our side.",
            "details": None,
        }
    }
    _assert_hardened(crashed)
    odd_inputs = [
        api.http.post(
            "/api/v1/credit-requests",
            content=b'{"amount": 1e999999, "term_months": "\\ud800"}',
            headers={**callers["applicant"].auth, "content-type": "application/json"},
        ),
        api.http.post(
            "/api/v1/users", content=b"\xff\xfe\x00", headers={"content-type": "application/json"}
        ),
        api.http.post(
            "/api/v1/token",
            content=b"%%%",
            headers={"content-type": "application/x-www-form-urlencoded"},
        ),
        api.http.get(
            "/api/v1/credit-requests",
            params={"cursor": "!!!" * 50},
            headers=callers["applicant"].auth,
        ),
    ]
    for response in [crashed, *odd_inputs]:
        assert response.status_code < 500 or response is crashed, response.text
        for leak in (
            "Traceback",
            'File "',
            "secret-internal-detail",
            "site-packages",
            "sqlalchemy",
        ):
            assert leak not in response.text, (leak, response.text)


def test_docs_and_the_openapi_document_can_be_turned_off(api: Api, settings_override: Any) -> None:
    assert api.http.get("/docs").status_code == 200  # on in local and test mode
    docs_csp = api.http.get("/docs").headers["content-security-policy"]
    assert "frame-ancestors 'none'" in docs_csp

    settings_override.docs_enabled = False
    for path in ("/docs", "/api/v1/docs", "/api/v1/openapi.json"):
        response = api.http.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"


def test_a_function_app_built_with_docs_off_serves_no_openapi(settings_override: Any) -> None:
    from shared.http.app import create_app

    settings_override.docs_enabled = False
    router = APIRouter(prefix="/api/v1")

    @router.get("/ping")
    def ping() -> dict[str, str]:
        return {"pong": "yes"}

    with TestClient(create_app("docs off", router)) as direct:
        assert direct.get("/api/v1/ping").status_code == 200
        assert direct.get("/api/v1/openapi.json").status_code == 404


def _failed_login_address(url: str, forwarded_for: str) -> str:
    """Fail a sign-in through the gateway at `url` with a spoofed X-Forwarded-For, and read
    the address its audit entry records (the one the per-address throttle counts)."""
    username = f"xff-{uuid.uuid4().hex[:10]}"
    response = httpx.post(
        f"{url}/api/v1/token",
        data={"username": username, "password": "Wrong-password-123"},
        headers={"X-Forwarded-For": forwarded_for},
        timeout=30,
    )
    assert response.status_code == 401
    with unit_of_work() as session:
        entry = session.scalars(
            select(AuditLog).where(
                AuditLog.action == "auth.login_failed",
                AuditLog.details["username"].astext == username,
            )
        ).one()
    assert entry.details is not None
    return str(entry.details["address"])


def test_x_forwarded_for_from_an_unconfigured_client_is_ignored(live_server: Any) -> None:
    """A local client cannot pick the address login throttling counts (uvicorn trusts
    X-Forwarded-For from loopback by default; the gateway trusts no proxy unless configured)."""
    assert _failed_login_address(live_server.url, "203.0.113.7") == "127.0.0.1"


def test_x_forwarded_for_from_a_configured_proxy_is_used(tmp_path: Path) -> None:
    with running_stack(tmp_path, runner=False, FORWARDED_ALLOW_IPS="127.0.0.1") as url:
        assert _failed_login_address(url, "203.0.113.8") == "203.0.113.8"


@pytest.mark.parametrize(
    "path",
    [
        "/api/nope",
        "/api/v2/credit-requests",
        "/api/",
        "/openapi.json",
        "/scripts/missing.js",
        "/favicon-missing.ico",
    ],
)
def test_paths_that_are_not_the_web_apps_answer_404_json(client: TestClient, path: str) -> None:
    """Only the web app's own routes fall back to its page: an API path or a missing file
    answers 404 JSON, so a probe or client on the wrong path learns it."""
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    "path", ["/", "/requests/new", "/approvals/aaa.bbb.ccccccccccccccccccccccccccccccccccccccccccc"]
)
def test_the_web_apps_routes_still_open_it(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("path", ["/health", "/health/ready"])
def test_the_probes_answer_at_the_root_exactly_as_under_the_api(
    client: TestClient, path: str
) -> None:
    root, api = client.get(path), client.get(f"/api/v1{path}")
    assert root.status_code == api.status_code == 200
    assert root.json()["status"] == api.json()["status"] == "ok"
    assert root.headers["content-type"].startswith("application/json")


def test_head_is_answered_wherever_get_is(client: TestClient, callers: dict[str, Caller]) -> None:
    for path, headers in (
        ("/api/v1/health", {}),
        ("/api/v1/users/me", callers["applicant"].auth),
        ("/health", {}),
        ("/", {}),
    ):
        assert client.head(path, headers=headers).status_code == 200, path


def test_a_nul_in_the_path_is_refused_not_a_500(client: TestClient) -> None:
    for path in ("/%00", "/api/v1/credit-requests/%00", "/requests/%00x"):
        response = client.get(path)
        assert response.status_code == 422, path
        assert response.json()["error"]["details"][0]["loc"] == ["path"]


def test_metrics_are_never_cached(client: TestClient) -> None:
    for path in ("/metrics", "/api/v1/metrics"):
        assert client.get(path).headers["cache-control"] == "no-store"
