"""Retention: 25 months after the decision the applicant's personal data goes, the decision
and a verifiable audit trail stay; dry runs change nothing; every run is counted and audited."""

import json
import os
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, select, text, update

from shared.approvals.models import ApprovalStage
from shared.audit.chain import REDACTION_ACTION, verify_database
from shared.audit.models import AuditLog
from shared.audit.service import Actor, record
from shared.clock import utcnow
from shared.credit.models import CreditRequest
from shared.db import get_engine, unit_of_work
from shared.governance.simulation import stored_inputs
from shared.notifications import adverse_action
from shared.notifications.notice_models import AdverseActionNotice
from shared.users.models import User
from tests.support import Api, Person, age_decision


@pytest.fixture(scope="module")
def superuser() -> Iterator[Engine]:
    """The database's owner, as someone with direct database access would connect."""
    engine = create_engine(os.environ["DATABASE_URL"])
    yield engine
    engine.dispose()


def _age(request_id: str, days: int) -> None:
    """Move a request's decision (and its notice) `days` into the past."""
    age_decision(request_id, days)


def _declined(api: Api, drain: Callable[[], None], auth: dict[str, str]) -> str:
    request_id = api.submit(auth, credit_score=500, purpose="Roof repair at 12 Elm Street")["id"]
    drain()
    assert api.request(auth, request_id)["status"] == "auto_rejected"
    return str(request_id)


def _run(api: Api, admin: dict[str, str], *, dry_run: bool) -> dict[str, Any]:
    response = api.http.post("/api/v1/retention/runs", json={"dry_run": dry_run}, headers=admin)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _rejected_by_a_person(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], auth: dict[str, str]
) -> str:
    request_id = str(api.submit(auth, purpose="Wedding of my daughter Ana")["id"])
    drain()
    approver = api.assignee(staff, request_id)
    response = api.http.post(
        f"/api/v1/credit-requests/{request_id}/decision",
        json={
            "decision": "reject",
            "comment": "Ana's wedding budget looks optimistic.",
            "reason_codes": ["AMOUNT_TOO_HIGH"],
        },
        headers=api.login(approver),
    )
    assert response.status_code == 200, response.text
    drain()  # its adverse action notice quotes the comment
    return request_id


def test_a_dry_run_counts_what_is_due_and_changes_nothing(
    api: Api, staff: dict[str, Person], drain: Callable[[], None]
) -> None:
    applicant = api.register()
    auth = api.login(applicant)
    request_id = _declined(api, drain, auth)
    _age(request_id, days=800)  # over 25 months
    admin = api.login(staff["admin1"])

    run = _run(api, admin, dry_run=True)

    assert run["dry_run"] is True
    assert run["counts"]["requests"] >= 1 and run["counts"]["applicants"] >= 1
    assert run["counts"]["remaining"] == 0
    after = api.request(auth, request_id)
    assert after["purpose"] == "Roof repair at 12 Elm Street"
    assert after["anonymised_at"] is None
    with unit_of_work() as session:
        entry = session.scalars(
            select(AuditLog).where(
                AuditLog.action == "retention.run", AuditLog.entity_id == run["id"]
            )
        ).one()
        assert entry.actor == staff["admin1"].username
        assert entry.details is not None and entry.details["dry_run"] is True
        assert entry.details["requests"] == run["counts"]["requests"]
    listed = api.http.get("/api/v1/retention/runs", headers=admin).json()["items"]
    assert listed[0]["id"] == run["id"]


def test_personal_data_goes_after_25_months_and_the_decision_stays(
    api: Api, staff: dict[str, Person], drain: Callable[[], None]
) -> None:
    gone, kept_on = api.register("leaving"), api.register("staying")
    gone_auth, kept_auth = api.login(gone), api.login(kept_on)
    declined = _declined(api, drain, gone_auth)
    rejected = _rejected_by_a_person(api, staff, drain, gone_auth)
    old_of_kept = _declined(api, drain, kept_auth)
    recent_of_kept = _declined(api, drain, kept_auth)
    for request_id in (declined, rejected, old_of_kept):
        _age(request_id, days=800)
    _age(recent_of_kept, days=700)  # 23 months: still kept
    before = {i: api.staff_view(staff, i) for i in (declined, rejected, old_of_kept)}

    run = _run(api, api.login(staff["admin1"]), dry_run=False)

    assert run["counts"]["requests"] >= 3 and run["counts"]["applicants"] >= 1
    for request_id in (declined, rejected, old_of_kept):
        after = api.staff_view(staff, request_id)
        # The free text and the bureau report are gone ...
        assert after["purpose"] == "[removed]"
        assert after["credit_score"] is None and after["delinquencies_24m"] is None
        assert after["anonymised_at"] is not None
        # ... the decision, its reasons, the amounts and the dates stay.
        for kept in ("status", "decision_reasons", "amount", "term_months", "decided_at"):
            assert after[kept] == before[request_id][kept], kept
        assert [s["status"] for s in after["stages"]] == [
            s["status"] for s in before[request_id]["stages"]
        ]
    with unit_of_work() as session:
        comments = session.scalars(
            select(ApprovalStage.comment).where(ApprovalStage.request_id == uuid.UUID(rejected))
        ).all()
        assert comments and all(c is None for c in comments)
        notice = adverse_action.for_request(session, uuid.UUID(rejected))
        assert notice is not None and notice.comment is None
        assert notice.reasons  # the decision's reasons stay
        score = session.get(CreditRequest, uuid.UUID(declined))
        assert score is not None and score.score_result is not None
        assert score.score_result["bureau_report"] is None
        assert score.score_result["installment"]  # the figures computed from it stay
    assert api.staff_view(staff, recent_of_kept)["purpose"] == "Roof repair at 12 Elm Street"
    # Policy simulations replay stored requests: one without its bureau report is no input.
    with unit_of_work() as session:
        replayed = {item.request_id for item in stored_inputs(session, 100_000)}
    assert uuid.UUID(recent_of_kept) in replayed and uuid.UUID(declined) not in replayed

    # The applicant whose every request is past retention is anonymised; the other is not.
    with unit_of_work() as session:
        account = session.get(User, gone.id)
        assert account is not None and account.anonymised_at is not None
        assert gone.username not in (account.username, account.email, account.full_name)
        assert not account.is_active
        other = session.get(User, kept_on.id)
        assert other is not None and other.anonymised_at is None
    refused = api.http.post(
        "/api/v1/token", data={"username": gone.username, "password": gone.password}
    )
    assert refused.status_code == 401
    assert api.http.get("/api/v1/users/me", headers=gone_auth).status_code == 401


def test_the_25_months_count_from_the_notice_when_it_went_out_later(
    api: Api, staff: dict[str, Person], drain: Callable[[], None]
) -> None:
    auth = api.login(api.register())
    request_id = _declined(api, drain, auth)
    _age(request_id, days=800)
    with unit_of_work() as session:  # told only 23 months ago (a notice sent late)
        session.execute(
            update(AdverseActionNotice)
            .where(AdverseActionNotice.request_id == uuid.UUID(request_id))
            .values(sent_at=utcnow() - timedelta(days=700))
        )

    _run(api, api.login(staff["admin1"]), dry_run=False)

    assert api.request(auth, request_id)["anonymised_at"] is None


def test_the_audit_trail_keeps_verifying_with_the_username_redacted(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], superuser: Engine
) -> None:
    applicant = api.register("redacted")
    auth = api.login(applicant)
    request_id = _declined(api, drain, auth)
    _age(request_id, days=800)
    bad_sign_in = api.http.post(
        "/api/v1/token", data={"username": applicant.username, "password": "wrong-password-1"}
    )
    assert bad_sign_in.status_code == 401

    _run(api, api.login(staff["admin1"]), dry_run=False)

    with unit_of_work() as session:
        theirs = session.scalars(
            select(AuditLog).where(AuditLog.actor_id == applicant.id).order_by(AuditLog.id)
        ).all()
        assert theirs and all(row.actor == "anonymised" for row in theirs)
        registered = next(row for row in theirs if row.action == "user.registered")
        assert registered.after is not None and registered.after["username"] == "[redacted]"
        assert registered.after["role"] == "applicant"  # only the personal data goes
        refusal = session.scalars(
            select(AuditLog).where(
                AuditLog.action == "auth.login_failed", AuditLog.entity_id == str(applicant.id)
            )
        ).one()
        assert refusal.details is not None and refusal.details["username"] == "[redacted]"
        entries = session.scalars(select(AuditLog).where(AuditLog.action == REDACTION_ACTION)).all()
        recorded = {row_id for e in entries for row_id, _, _ in (e.details or {})["rows"]}
        assert {row.id for row in theirs} | {refusal.id} <= recorded
        assert not any(
            applicant.username in str([row.actor, row.before, row.after, row.details])
            for row in session.scalars(select(AuditLog).where(AuditLog.id.in_(recorded)))
        )
    result = verify_database(get_engine())
    assert result.ok, result.broken

    # A redacted row changed in any other way breaks the chain, as any edited row does.
    with superuser.begin() as conn:
        conn.execute(
            text("UPDATE audit_logs SET action = 'user.tampered' WHERE id = :id"),
            {"id": registered.id},
        )
    try:
        broken = verify_database(get_engine()).broken
        assert broken is not None and broken.id == registered.id
        assert broken.reason == "redacted row's content"
    finally:
        with superuser.begin() as conn:
            conn.execute(
                text("UPDATE audit_logs SET action = 'user.registered' WHERE id = :id"),
                {"id": registered.id},
            )
    assert verify_database(get_engine()).ok


def test_a_reviewers_correction_of_bureau_figures_goes_from_the_audit_trail_too(
    api: Api, staff: dict[str, Person], drain: Callable[[], None]
) -> None:
    """A human review that corrects a declined request's bureau figures audits them, before
    and after: 25 months on they go from that entry as from the request, the rest of it
    stays, and the chain still verifies."""
    auth = api.login(api.register("corrected"))
    request_id = _declined(api, drain, auth)
    _age(request_id, days=800)
    admin = api.login(staff["admin1"])
    before = _run(api, admin, dry_run=True)["counts"]["audit_rows"]
    with unit_of_work() as session:  # as shared.approvals.review writes it
        record(
            session,
            Actor.of(staff["analyst1"]),
            "credit_request.corrected",
            "credit_request",
            request_id,
            before={"bankruptcies_7y": 1, "monthly_income": "4000.00"},
            after={"bankruptcies_7y": 0, "monthly_income": "4200.00"},
            details={"review_id": str(uuid.uuid4())},
        )
    assert _run(api, admin, dry_run=True)["counts"]["audit_rows"] == before + 1

    _run(api, admin, dry_run=False)

    with unit_of_work() as session:
        corrected = session.scalars(
            select(AuditLog).where(
                AuditLog.action == "credit_request.corrected", AuditLog.entity_id == request_id
            )
        ).one()
    assert corrected.before == {"bankruptcies_7y": "[redacted]", "monthly_income": "4000.00"}
    assert corrected.after == {"bankruptcies_7y": "[redacted]", "monthly_income": "4200.00"}
    result = verify_database(get_engine())
    assert result.ok, result.broken


def test_a_redaction_without_its_entry_breaks_the_chain(api: Api, superuser: Engine) -> None:
    """Only the retention job's recorded redactions verify: redacting a row and not saying so
    is an edit like any other."""
    api.register("unrecorded")
    with superuser.connect() as conn:
        row = conn.execute(
            text(
                "SELECT id, after FROM audit_logs WHERE action = 'user.registered'"
                " AND row_hash IS NOT NULL ORDER BY id DESC LIMIT 1"
            )
        ).one()
    with superuser.begin() as conn:
        conn.execute(
            text(
                "UPDATE audit_logs SET after = audit_redact_json(after, ARRAY['username'])"
                " WHERE id = :id"
            ),
            {"id": row.id},
        )
    try:
        broken = verify_database(get_engine()).broken
        assert broken is not None and broken.id == row.id and broken.reason == "row_hash"
    finally:
        with superuser.begin() as conn:
            conn.execute(
                text("UPDATE audit_logs SET after = CAST(:after AS jsonb) WHERE id = :id"),
                {"id": row.id, "after": json.dumps(row.after)},
            )
    assert verify_database(get_engine()).ok


def test_only_admins_see_and_run_retention(api: Api, staff: dict[str, Person]) -> None:
    applicant = api.login(api.register())
    analyst = api.login(staff["analyst1"])
    for auth in (applicant, analyst):
        assert api.http.get("/api/v1/retention/runs", headers=auth).status_code == 403
        response = api.http.post("/api/v1/retention/runs", json={}, headers=auth)
        assert response.status_code == 403
    bad = api.http.post(
        "/api/v1/retention/runs", json={"dry_run": "maybe"}, headers=api.login(staff["admin1"])
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["code"]


def test_the_scheduled_step_runs_as_the_system_and_may_rehearse(
    api: Api, drain: Callable[[], None]
) -> None:
    from functions.retention.handler import handler

    auth = api.login(api.register())
    request_id = _declined(api, drain, auth)
    _age(request_id, days=800)

    rehearsal = handler({"dry_run": True}, None)
    assert rehearsal["dry_run"] is True and rehearsal["requests"] >= 1
    assert api.request(auth, request_id)["anonymised_at"] is None

    nightly = handler({}, None)
    assert nightly["dry_run"] is False and nightly["requests"] >= 1
    with unit_of_work() as session:
        run = session.scalars(
            select(AuditLog).where(
                AuditLog.action == "retention.run", AuditLog.entity_id == nightly["run_id"]
            )
        ).one()
        assert run.actor == "system:retention"
        request = session.get(CreditRequest, uuid.UUID(request_id))
        assert request is not None and request.anonymised_at is not None
