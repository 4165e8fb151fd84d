"""API4 / API6 (unrestricted resource consumption, sensitive business flows): page sizes are
bounded, bodies are limited (413), an applicant can file only so many requests an hour, and a
request can cause only so many emails. Each limit answers with a clear error body, 429s with
Retry-After."""

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from infra.local.lambda_events import LambdaContext, http_event
from shared import aws
from shared.approvals.models import ApprovalStage
from shared.audit.models import AuditLog
from shared.config import get_settings
from shared.credit.models import CreditRequest
from shared.db import unit_of_work
from shared.messaging.outbox import add_event, relay_pending
from shared.workflow.events import EventType, StageEvent
from tests.conftest import Mailbox
from tests.security.conftest import Caller
from tests.support import GOOD_APPLICATION, Api, Person

MAX_PAGE = 100


def _limit_parameters(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["name"] == "limit":
                    yield method.upper(), path, parameter["schema"]


def test_every_paginated_list_declares_and_enforces_a_bounded_page_size(
    api: Api, callers: dict[str, Caller]
) -> None:
    """Decision: an out-of-range `limit` is refused (422, naming the parameter), not
    silently clamped: the bound is in the OpenAPI document, so clients can know it."""
    schema = api.http.get("/api/v1/openapi.json").json()
    paginated = list(_limit_parameters(schema))
    assert {p for _, p, _ in paginated} >= {
        "/api/v1/credit-requests",
        "/api/v1/users",
        "/api/v1/audit-logs",
        "/api/v1/approvals",
    }
    admin = callers["admin"].auth
    # A list under one policy version (its simulation's changes) needs a version simulated.
    draft = api.http.post("/api/v1/policies", json={}, headers=admin).json()
    simulated = api.http.post(
        f"/api/v1/policies/{draft['id']}/simulate", json={"requests": 1}, headers=admin
    )
    assert simulated.is_success, simulated.text
    # A request's conversation needs a request.
    request_id = api.submit(callers["applicant"].auth)["id"]
    for method, template, bounds in paginated:
        path = template.format(policy_id=draft["id"], request_id=request_id)
        assert (bounds.get("minimum"), bounds.get("maximum")) == (1, MAX_PAGE), path
        for bad in (0, MAX_PAGE + 1, 10_000, -1):
            response = api.http.request(method, path, params={"limit": bad}, headers=admin)
            assert response.status_code == 422, (path, bad)
            error = response.json()["error"]
            assert error["code"] == "validation_error"
            assert ["query", "limit"] in [d["loc"] for d in error["details"]]
        assert api.http.request(method, path, params={"limit": MAX_PAGE}, headers=admin).is_success


def test_a_full_page_holds_at_most_the_maximum(api: Api, callers: dict[str, Caller]) -> None:
    with unit_of_work() as session:
        session.add_all(
            AuditLog(actor="system:test", action="test.filler", entity_type="test")
            for _ in range(MAX_PAGE + 5)
        )
    page = api.http.get(
        "/api/v1/audit-logs",
        params={"limit": MAX_PAGE, "action": "test.filler"},
        headers=callers["admin"].auth,
    ).json()
    assert len(page["items"]) == MAX_PAGE
    assert page["next_cursor"] is not None


def test_bodies_over_the_limit_are_refused_at_the_gateway(api: Api) -> None:
    limit = get_settings().max_body_bytes
    body = b'{"username": "' + b"x" * limit + b'"}'
    response = api.http.post(
        "/api/v1/users", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


# Mangum asks for the current event loop when called outside one; harmless here.
@pytest.mark.filterwarnings("ignore:There is no current event loop:DeprecationWarning")
def test_bodies_over_the_limit_are_refused_by_the_function_itself() -> None:
    """In AWS no local gateway stands in front: each function enforces the limit too, on
    the declared length and on what actually arrives (a chunked body declares none)."""
    from functions.api.handler import app, handler

    limit = get_settings().max_body_bytes
    event = http_event(
        method="POST",
        path="/api/v1/users",
        route_key="POST /api/v1/users",
        query_string="",
        headers=[("content-type", "application/json"), ("content-length", str(limit + 1))],
        body=b"x" * (limit + 1),
        source_ip="127.0.0.9",
        path_parameters={},
    )
    result = handler(event, LambdaContext("api"))
    assert result["statusCode"] == 413
    assert '"payload_too_large"' in (result["body"] or "")

    def chunks() -> Iterator[bytes]:
        for _ in range(limit // 65536 + 2):
            yield b"x" * 65536

    with TestClient(app, raise_server_exceptions=False) as direct:
        streamed = direct.post(
            "/api/v1/users", content=chunks(), headers={"content-type": "application/json"}
        )
    assert streamed.status_code == 413
    assert streamed.json()["error"]["code"] == "payload_too_large"


def _requests_of(person: Person) -> int:
    with unit_of_work() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(CreditRequest)
                .where(CreditRequest.applicant_id == person.id)
            )
            or 0
        )


def test_a_submission_flood_by_one_applicant_is_refused_cleanly(
    client: TestClient, api: Api, drain: Callable[[], None]
) -> None:
    """20 submissions at once by one applicant: exactly the hourly limit accepted, the rest
    429 (each audited), none a 500. Refusals are audited on the request's own connection, so
    the flood cannot exhaust the pool while holding the applicant's row lock."""
    from concurrent.futures import ThreadPoolExecutor

    limit = get_settings().submissions_per_hour
    applicant = api.register()
    auth = api.login(applicant)

    def submit(_: int) -> int:
        response = client.post("/api/v1/credit-requests", json=GOOD_APPLICATION, headers=auth)
        return int(response.status_code)

    with ThreadPoolExecutor(max_workers=20) as pool:
        codes = list(pool.map(submit, range(20)))
    assert sorted(codes) == [202] * limit + [429] * (20 - limit), codes
    assert _requests_of(applicant) == limit
    with unit_of_work() as session:
        refusals = session.scalar(
            select(func.count()).where(
                AuditLog.action == "credit_request.rate_limited",
                AuditLog.entity_id == str(applicant.id),
            )
        )
    assert refusals == 20 - limit
    drain()


def test_an_applicant_files_at_most_the_hourly_limit(api: Api, drain: Callable[[], None]) -> None:
    limit = get_settings().submissions_per_hour
    applicant = api.register()
    auth = api.login(applicant)
    ids = [api.submit(auth)["id"] for _ in range(limit)]
    # Withdrawing does not give a submission back.
    assert api.http.post(f"/api/v1/credit-requests/{ids[0]}/withdraw", headers=auth).is_success

    refused = api.http.post("/api/v1/credit-requests", json=GOOD_APPLICATION, headers=auth)
    assert refused.status_code == 429
    retry_after = int(refused.headers["Retry-After"])
    assert 3500 < retry_after <= 3600  # when the first of the hour's requests leaves the window
    error = refused.json()["error"]
    assert error["code"] == "submission_rate_limited"
    assert str(limit) in error["message"]
    assert error["details"] == {"retry_after": retry_after}
    assert _requests_of(applicant) == limit
    with unit_of_work() as session:
        audited = session.scalars(
            select(AuditLog).where(
                AuditLog.action == "credit_request.rate_limited",
                AuditLog.entity_id == str(applicant.id),
            )
        ).all()
    assert len(audited) == 1
    # Another applicant is unaffected.
    api.submit(api.login(api.register()))
    drain()


def test_emails_about_one_request_are_capped_and_the_excess_is_audited_not_retried(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    """A runaway upstream (here: 30 reminder events for one stage) cannot turn the notify
    step into a mail cannon: past EMAILS_PER_REQUEST the email is skipped and audited, the
    message counts as handled, and nothing is retried or dead-lettered."""
    cap = get_settings().emails_per_request
    applicant = api.register()
    auth = api.login(applicant)
    request_id = api.submit(auth)["id"]
    drain()  # receipt to the applicant, link to the approver: 2 emails
    detail = api.staff_view(staff, request_id)
    approver = next(p for p in staff.values() if p.username == detail["stages"][0]["assignee"])
    flood = 30
    dead_before = _depth("notify-dlq")
    # Earlier tests share these queues; one whose runner was killed mid-poll leaves a message
    # in flight until its visibility timeout. Only what this test adds counts.
    in_flight_before = _depth("notify")
    with unit_of_work() as session:
        stage = session.get(ApprovalStage, uuid.UUID(detail["stages"][0]["id"]))
        assert stage is not None
        for _ in range(flood):
            add_event(
                session,
                EventType.STAGE_REMINDER,
                StageEvent(request_id=stage.request_id, stage_id=stage.id),
            )
    relay_pending()
    drain()  # finishes: no message keeps failing

    def count(action: str) -> int:
        with unit_of_work() as session:
            return int(
                session.scalar(
                    select(func.count())
                    .select_from(AuditLog)
                    .where(AuditLog.action == action, AuditLog.entity_id == request_id)
                )
                or 0
            )

    assert count("email.sent") == cap
    assert count("email.suppressed") == 2 + flood - cap
    reminders = [
        m
        for m in mailbox.to(approver.email)
        if request_id[:8] in m["Subject"] and "Reminder" in m["Subject"]
    ]
    assert len(reminders) == cap - 2
    # Nothing is left failing: a message a handler refused stays in flight (not visible) until
    # its visibility timeout, so a last drain would not take it.
    drain()
    assert _depth("notify") <= in_flight_before
    assert _depth("notify-dlq") == dead_before


def _depth(queue: str) -> int:
    attributes = aws.client("sqs").get_queue_attributes(
        QueueUrl=aws.queue_url(queue),
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(
        attributes["ApproximateNumberOfMessagesNotVisible"]
    )
