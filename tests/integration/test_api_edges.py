"""The API's edges: error bodies for bad input, readiness, metrics and the OpenAPI document."""

from collections.abc import Callable

import pytest

from tests.support import GOOD_APPLICATION, Api


def test_bad_credit_requests_get_422_and_nothing_is_stored(api: Api) -> None:
    auth = api.login(api.register())
    cases: list[dict[str, object]] = [
        {"amount": "0"},
        {"amount": "-5"},
        {"amount": "10000000.01"},
        {"amount": "12.345"},
        {"amount": "lots"},
        {"term_months": 5},
        {"term_months": 361},
        {"credit_score": 299},
        {"credit_score": 851},
        {"employment_status": "pirate"},
        {"status": "approved"},
        {"risk_tier": "low"},
        {"applicant_id": "00000000-0000-0000-0000-000000000000"},
    ]
    for change in cases:
        response = api.http.post(
            "/api/v1/credit-requests", json={**GOOD_APPLICATION, **change}, headers=auth
        )
        assert response.status_code == 422, change
        assert response.json()["error"]["code"] == "validation_error"
    missing = {k: v for k, v in GOOD_APPLICATION.items() if k != "monthly_income"}
    assert api.http.post("/api/v1/credit-requests", json=missing, headers=auth).status_code == 422
    not_json = api.http.post(
        "/api/v1/credit-requests",
        content=b"{not json",
        headers={**auth, "content-type": "application/json"},
    )
    assert not_json.status_code == 422
    listed = api.http.get("/api/v1/credit-requests", headers=auth).json()
    assert listed["items"] == []


def test_amount_accepts_a_number_and_is_returned_as_a_decimal_string(api: Api) -> None:
    auth = api.login(api.register())
    created = api.submit(auth, amount=1234.5)
    assert created["amount"] == "1234.50"


def test_unknown_routes_and_methods_answer_with_error_bodies(api: Api) -> None:
    missing = api.http.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    wrong_method = api.http.delete("/api/v1/users/me")
    assert wrong_method.status_code == 405
    bad_id = api.http.get("/api/v1/credit-requests/not-a-uuid", headers=api.login(api.register()))
    assert bad_id.status_code == 422


def test_readiness_reports_each_dependency(api: Api) -> None:
    assert api.http.get("/api/v1/health").json() == {"status": "ok"}
    ready = api.http.get("/api/v1/health/ready")
    assert ready.status_code == 200
    body = ready.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "redis", "queues"}
    for check in body["checks"].values():
        assert check["status"] == "ok" and check["latency_ms"] >= 0
    assert body["checks"]["database"]["required"] and not body["checks"]["redis"]["required"]


def test_metrics_count_requests_per_route_and_workflow_states(
    api: Api, drain: Callable[[], None]
) -> None:
    auth = api.login(api.register())
    api.submit(auth, credit_score=500)
    drain()
    text = api.http.get("/metrics").text
    assert 'http_requests_total{method="POST",route="/api/v1/credit-requests",status="202"}' in text
    assert 'credit_requests{status="auto_rejected"}' in text
    assert "backup_last_success_timestamp_seconds" in text


def test_openapi_document_covers_every_route(api: Api) -> None:
    from shared.http.routes import ROUTES

    schema = api.http.get("/api/v1/openapi.json").json()
    documented = {(m.upper(), p) for p, ops in schema["paths"].items() for m in ops}
    assert documented == {(r.method, r.path) for r in ROUTES}
    assert api.http.get("/docs").status_code == 200


def test_a_database_outage_answers_503_with_retry_after(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing listens where the database should be: callers are told to come back (503 and
    Retry-After, the error envelope), never a 500."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import sessionmaker

    from shared import db

    auth = api.login(api.register())
    dead = create_engine(
        "postgresql+psycopg://postgres@127.0.0.1:9/none", connect_args={"connect_timeout": 1}
    )
    monkeypatch.setattr(db, "_session_factory", lambda: sessionmaker(dead))
    for response in (
        api.http.get("/api/v1/credit-requests", headers=auth),
        api.http.post("/api/v1/token", data={"username": "someone", "password": "x" * 12}),
    ):
        assert response.status_code == 503
        assert int(response.headers["Retry-After"]) > 0
        assert response.json()["error"]["code"] == "service_unavailable"
