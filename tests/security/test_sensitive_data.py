"""Personal and financial data (point 11): no password, token, income or credit score in any
log line, whatever the flow touches (sign-up, failed and throttled logins, refresh, logout,
submission, scoring, emails with approval links, link use); approval-link tokens are
redacted from access-log and Mangum request lines even where those logs are switched on;
and the audit trail records who saw and who changed what, without those secrets.

tests/e2e/test_observability.py scans the processes' log files for one journey; this runs
every step in-process with all loggers captured at the level the functions run at."""

import json
import logging
import re
import uuid
from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import select

from shared.audit.models import AuditLog
from shared.db import unit_of_work
from tests.conftest import Mailbox
from tests.security.conftest import LiveServer, client_at, unique_address
from tests.support import Api, Person, link_token

# The test's own HTTP client logs the URLs it requests: that is the caller's log, not the
# application's (in production no httpx client calls these URLs).
CLIENT_SIDE_LOGGERS = ("httpx",)
INCOME, DEBT, SCORE = "73519.37", "2468.13", 787
SENSITIVE_KEYS = re.compile(
    r'"?(password|access_token|refresh_token|monthly_income|monthly_debt|credit_score)"?\s*[:=]'
)


def _text(record: logging.LogRecord) -> str:
    extra = {
        k: v
        for k, v in vars(record).items()
        if k not in logging.makeLogRecord({}).__dict__ and k not in ("message", "asctime")
    }
    return " ".join([record.getMessage(), json.dumps(extra, default=str), record.exc_text or ""])


def _person(staff: dict[str, Person], username: str) -> Person:
    return next(p for p in staff.values() if p.username == username)


def test_no_secret_or_financial_value_reaches_any_log(
    api: Api,
    staff: dict[str, Person],
    drain: Callable[[], None],
    mailbox: Mailbox,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    applicant = api.register("logged")
    victim = api.register("victim")
    http = client_at(unique_address())
    wrong = "Wrong-Guess-4821"
    for _ in range(6):  # failures, then throttled
        http.post("/api/v1/token", data={"username": victim.username, "password": wrong})
    http.post("/api/v1/token", data={"username": victim.username, "password": victim.password})
    api.http.post(
        "/api/v1/users",
        json={
            "username": f"weak-{uuid.uuid4().hex[:8]}",
            "email": f"weak-{uuid.uuid4().hex[:8]}@example.com",
            "password": "qwertyuiop",
            "full_name": "Weak",
        },
    )
    tokens = api.http.post(
        "/api/v1/token", data={"username": applicant.username, "password": applicant.password}
    ).json()
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    request_id = api.submit(
        auth,
        amount="60000.00",
        term_months=120,
        monthly_income=INCOME,
        monthly_debt=DEBT,
        credit_score=SCORE,
    )["id"]
    drain()
    assignee = api.assignee(staff, request_id)
    token = link_token(
        next(m for m in mailbox.to(assignee.email) if request_id[:8] in m["Subject"])
    )
    api.http.get(f"/api/v1/approval-links/{token}")
    api.http.post(f"/api/v1/approval-links/{token}", json={"decision": "approve"})
    api.http.post(f"/api/v1/approval-links/{token}", json={"decision": "approve"})  # reused
    api.http.post(f"/api/v1/approval-links/{token}x", json={"decision": "approve"})  # forged
    drain()
    rotated = api.http.post("/api/v1/refresh", json={"refresh_token": tokens["refresh_token"]})
    api.http.post("/api/v1/refresh", json={"refresh_token": tokens["refresh_token"]})  # reuse
    api.http.post("/api/v1/logout", json={}, headers=auth)
    api.http.get("/api/v1/users/me", headers=auth)  # revoked

    secrets = [
        applicant.password,
        victim.password,
        wrong,
        "qwertyuiop",
        tokens["access_token"],
        tokens["refresh_token"],
        rotated.json().get("refresh_token", "") or "unused",
        token,
        INCOME,
        DEBT,
    ]
    score = re.compile(rf"(?<![\w.]){SCORE}(?![\w.])")
    records = [r for r in caplog.records if r.name.split(".")[0] not in CLIENT_SIDE_LOGGERS]
    assert len(records) > 20, "the flow should have produced log lines to inspect"
    for record in records:
        text = _text(record)
        for secret in secrets:
            assert secret not in text, f"{record.name}: {text[:300]}"
        assert not score.search(text), f"credit score in {record.name}: {text[:300]}"
        assert not SENSITIVE_KEYS.search(text), f"{record.name}: {text[:300]}"


def test_link_tokens_are_redacted_even_from_mangums_request_lines(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    """The functions run Mangum's logger at WARNING; if someone turns it up, its
    'POST /api/v1/approval-links/<token> 200' lines still show no token."""
    mangum = logging.getLogger("mangum.http")
    previous = mangum.level
    mangum.setLevel(logging.INFO)
    caplog.set_level(logging.INFO)
    marker = f"eyJmarker.{uuid.uuid4().hex}.sig"
    try:
        api.http.get(f"/api/v1/approval-links/{marker}")
        api.http.post(f"/api/v1/approval-links/{marker}", json={"decision": "approve"})
    finally:
        mangum.setLevel(previous)
    lines = [r.getMessage() for r in caplog.records if r.name == "mangum.http"]
    assert any("/api/v1/approval-links/[redacted]" in line for line in lines), lines
    assert not any(marker in _text(r) for r in caplog.records if r.name != "httpx")


def test_link_tokens_are_redacted_from_uvicorns_access_log(live_server: LiveServer) -> None:
    """A live gateway with uvicorn's access log on (make local runs it off): the API path
    and the SPA page an emailed link opens are both logged without the token."""
    marker = f"eyJaccess.{uuid.uuid4().hex}.sig"
    with httpx.Client(base_url=live_server.url, timeout=10) as http:
        assert http.get(f"/api/v1/approval-links/{marker}").status_code == 404
        http.post(f"/api/v1/approval-links/{marker}", json={"decision": "approve"})
        http.get(f"/approvals/{marker}")
        http.get(f"/api/v1/approval-links/{marker}?x=1")
    log = live_server.log.read_text(errors="replace")
    assert "/api/v1/approval-links/[redacted]" in log
    assert "/approvals/[redacted]" in log
    assert marker not in log


def test_the_audit_trail_says_who_saw_and_who_changed_what(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    applicant = api.register("audited")
    auth = api.login(applicant)
    request_id = api.submit(auth, monthly_income=INCOME)["id"]
    drain()
    assignee = api.assignee(staff, request_id)
    assignee_auth = api.login(assignee)
    manager = next(p for p in staff.values() if p.role == "manager")
    assert api.http.get(
        f"/api/v1/credit-requests/{request_id}", headers=api.login(manager)
    ).is_success
    api.http.post(
        f"/api/v1/credit-requests/{request_id}/decision",
        json={"decision": "approve", "comment": "fine"},
        headers=assignee_auth,
    )
    drain()
    with unit_of_work() as session:
        stage_ids = [s["id"] for s in api.request(auth, request_id)["stages"]]
        entries = session.scalars(
            select(AuditLog)
            .where(AuditLog.entity_id.in_([request_id, *stage_ids, str(applicant.id)]))
            .order_by(AuditLog.id)
        ).all()
    trail = [(e.action, e.actor) for e in entries]
    expected = [
        ("user.registered", applicant.username),
        ("credit_request.created", applicant.username),
        ("credit_request.scored", "system:score"),
        ("stage.assigned", "system:route_to_approver"),
        ("credit_request.viewed", manager.username),  # who saw
        ("stage.approved", assignee.username),  # who decided
        ("email.sent", "system:notify"),
    ]
    for step in expected:
        assert step in trail, (step, trail)
    viewed = next(
        e for e in entries if e.action == "credit_request.viewed" and e.actor == manager.username
    )
    assert viewed.actor_id == manager.id and viewed.at is not None
    # The audit trail itself holds no secret (admins read it).
    dump = json.dumps([[e.before, e.after, e.details] for e in entries], default=str)
    assert applicant.password not in dump
    assert INCOME not in dump
    # Applicants reading their own request are not audited (it is their data).
    assert not [
        e for e in entries if e.action == "credit_request.viewed" and e.actor == applicant.username
    ]
