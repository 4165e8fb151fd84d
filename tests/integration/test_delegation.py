"""Delegation and out-of-office: absent users get no stages; their pending stages move to the
delegate when the window starts (the `escalate` schedule) and come back when it ends; the
delegate decides by the normal email link, recorded as on behalf of the absent user."""

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from shared.approvals import delegation
from shared.approvals.models import ApprovalStage
from shared.approvals.service import escalate
from shared.audit.models import AuditLog
from shared.clock import utcnow
from shared.db import unit_of_work
from shared.messaging.outbox import relay_pending
from shared.users.models import User
from tests.conftest import Mailbox, assigned_request
from tests.support import Api, Person, link_token


def _window(start: timedelta, end: timedelta) -> dict[str, str]:
    now = utcnow()
    return {"starts_at": (now + start).isoformat(), "ends_at": (now + end).isoformat()}


def _colleague(staff: dict[str, Person], person: Person) -> Person:
    """The other staff user of the same role."""
    return next(p for p in staff.values() if p.role == person.role and p.id != person.id)


def _run(drain: Callable[[], None], at: datetime) -> delegation.DelegationReport:
    """The escalate schedule at `at`: absences start and end, then escalation."""
    with unit_of_work() as session:
        report = delegation.run(session, at)
        escalate(session, at)
    relay_pending()
    drain()
    return report


def _stage(request_id: str) -> ApprovalStage:
    with unit_of_work() as session:
        stage = session.scalars(
            select(ApprovalStage).where(ApprovalStage.request_id == request_id)
        ).first()
        assert stage is not None
        session.expunge(stage)
        return stage


def _audit(action: str, entity_id: object) -> list[AuditLog]:
    with unit_of_work() as session:
        rows = list(
            session.scalars(
                select(AuditLog).where(
                    AuditLog.action == action, AuditLog.entity_id == str(entity_id)
                )
            )
        )
        for row in rows:
            session.expunge(row)
        return rows


@contextmanager
def _away(
    api: Api, auth: dict[str, str], delegate: Person, start: timedelta, end: timedelta
) -> Iterator[dict[str, Any]]:
    """An absence of the signed-in user, cancelled afterwards (if still open) so later tests'
    routing is not affected."""
    created = api.http.post(
        "/api/v1/users/me/absences",
        json={"delegate_id": str(delegate.id), **_window(start, end)},
        headers=auth,
    )
    assert created.status_code == 201, created.text
    absence = created.json()
    try:
        yield absence
    finally:
        api.http.delete(f"/api/v1/users/me/absences/{absence['id']}", headers=auth)


def test_stages_move_to_the_delegate_when_the_absence_starts_and_come_back_after(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    _, request_id, absent, old_token = assigned_request(api, staff, drain, mailbox)
    delegate = _colleague(staff, absent)
    auth = api.login(absent)
    with _away(api, auth, delegate, timedelta(hours=1), timedelta(hours=3)) as absence:
        assert absence["state"] == "scheduled"
        before = _stage(request_id)

        report = _run(drain, utcnow() + timedelta(hours=2))

        assert report.started >= 1 and report.delegated >= 1
        stage = api.staff_view(staff, request_id)["stages"][0]
        assert stage["assignee"] == delegate.username
        assert stage["on_behalf_of"] == absent.username
        moved = _stage(request_id)
        # The absence gives no new SLA: escalation still measures it from the first assignment.
        assert (moved.assigned_at, moved.due_at) == (before.assigned_at, before.due_at)
        assert _audit("stage.delegated", stage["id"])
        emails = [m for m in mailbox.to(delegate.email) if request_id[:8] in m["Subject"]]
        assert emails, "the delegate gets the normal approver email"
        assert "on behalf of" in emails[-1]["Body"]["text_part"]
        told = [m for m in mailbox.to(absent.email) if request_id[:8] in m["Subject"]]
        assert len(told) >= 2, "the absent approver hears their link died (stage.cancelled)"
        stale = api.http.get(f"/api/v1/approval-links/{old_token}")
        assert stale.status_code == 409  # the absent user's link died with the move
        assert (
            _run(drain, utcnow() + timedelta(hours=2)).delegated == 0
        )  # idempotent: a second run moves nothing

        _run(drain, utcnow() + timedelta(hours=4))

        stage = api.staff_view(staff, request_id)["stages"][0]
        assert stage["assignee"] == absent.username
        assert stage["on_behalf_of"] is None
        assert _audit("stage.returned", stage["id"])
        back = [m for m in mailbox.to(absent.email) if request_id[:8] in m["Subject"]]
        # Back with its approver, the stage answers only the link they were just sent: the
        # one from before the absence (which they were told had died) stays dead, and so
        # does the delegate's.
        for dead in (old_token, link_token(emails[-1])):
            url = f"/api/v1/approval-links/{dead}"
            for refused in (api.http.get(url), api.http.post(url, json={"decision": "approve"})):
                assert (refused.status_code, refused.json()["error"]["code"]) == (
                    409,
                    "link_not_current",
                )
        decided = api.http.post(
            f"/api/v1/approval-links/{link_token(back[-1])}", json={"decision": "approve"}
        )
        assert decided.status_code == 200, decided.text


def test_the_delegate_decides_by_the_email_link_on_behalf_of_the_absent_user(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    applicant_auth, request_id, absent, _ = assigned_request(api, staff, drain, mailbox)
    delegate = _colleague(staff, absent)
    auth = api.login(absent)
    # A window already begun starts at once: the stage moves in the same transaction.
    with _away(api, auth, delegate, timedelta(minutes=-1), timedelta(hours=2)) as absence:
        assert absence["state"] == "active"
        relay_pending()
        drain()
        email = [m for m in mailbox.to(delegate.email) if request_id[:8] in m["Subject"]][-1]
        inbox = api.http.get("/api/v1/approvals", headers=api.login(delegate)).json()["items"]
        held = next(i for i in inbox if i["request"]["id"] == request_id)
        with unit_of_work() as session:
            absent_user = session.get(User, absent.id)
            assert absent_user is not None
            assert held["on_behalf_of"] == absent_user.full_name

        decided = api.http.post(
            f"/api/v1/approval-links/{link_token(email)}", json={"decision": "approve"}
        )

        assert decided.status_code == 200, decided.text
        stage = _stage(request_id)
        assert stage.decided_by == delegate.id and stage.on_behalf_of == absent.id
        (entry,) = _audit("stage.approved", stage.id)
        assert entry.details and entry.details["on_behalf_of"] == str(absent.id)
        staff_stage = api.staff_view(staff, request_id)["stages"][0]
        assert staff_stage["decided_by"] == delegate.username
        assert staff_stage["on_behalf_of"] == absent.username
        applicant_stage = api.request(applicant_auth, request_id)["stages"][0]
        assert applicant_stage["on_behalf_of"] is None and applicant_stage["decided_by"] is None


def test_an_answer_that_comes_while_the_asker_is_away_goes_to_their_delegate(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    """A stage paused for the applicant's answer stays with its approver when their absence
    starts (only pending stages move). When the answer comes while they are away, the stage
    goes to their delegate, held on their behalf, as their other stages did, rather than back
    to someone who is out of office until escalation notices."""
    auth, request_id, absent, _ = assigned_request(api, staff, drain, mailbox)
    delegate = _colleague(staff, absent)
    asked = api.http.post(
        f"/api/v1/credit-requests/{request_id}/information-requests",
        json={"questions": "Please send your last two payslips."},
        headers=api.login(absent),
    )
    assert asked.status_code == 201, asked.text
    with _away(api, api.login(absent), delegate, timedelta(0), timedelta(hours=3)):
        _run(drain, utcnow() + timedelta(minutes=1))
        assert _stage(request_id).assignee_id == absent.id  # paused: not moved
        answered = api.http.post(
            f"/api/v1/credit-requests/{request_id}/information-answer",
            json={"answer": "Both payslips are attached."},
            headers=auth,
        )
        assert answered.status_code == 200, answered.text
        drain()
        stage = api.staff_view(staff, request_id)["stages"][0]
        assert (stage["status"], stage["assignee"]) == ("pending", delegate.username)
        assert stage["on_behalf_of"] == absent.username
        assert _audit("stage.delegated", stage["id"])
        emails = [m for m in mailbox.to(delegate.email) if request_id[:8] in m["Subject"]]
        decided = api.http.post(
            f"/api/v1/approval-links/{link_token(emails[-1])}", json={"decision": "approve"}
        )
        assert decided.status_code == 200, decided.text


def test_routing_never_assigns_an_absent_user(
    api: Api, staff: dict[str, Person], drain: Callable[[], None]
) -> None:
    absent = staff["analyst1"]
    with _away(api, api.login(absent), staff["manager1"], timedelta(0), timedelta(hours=1)):
        for _ in range(3):
            applicant = api.login(api.register())
            request_id = api.submit(applicant)["id"]
            drain()
            assert api.staff_view(staff, request_id)["stages"][0]["assignee"] != absent.username


def test_refusals_have_codes(api: Api, staff: dict[str, Person]) -> None:
    analyst, manager = staff["analyst1"], staff["manager1"]
    analyst2, manager2 = staff["analyst2"], staff["manager2"]
    as_manager = api.login(manager)

    def attempt(auth: dict[str, str], delegate: Person | uuid.UUID, **window: str) -> Any:
        delegate_id = delegate if isinstance(delegate, uuid.UUID) else delegate.id
        body = {"delegate_id": str(delegate_id), **_window(timedelta(days=1), timedelta(days=2))}
        return api.http.post("/api/v1/users/me/absences", json={**body, **window}, headers=auth)

    def code(response: Any) -> str:
        return str(response.json()["error"]["code"])

    assert code(attempt(as_manager, analyst)) == "delegate_role_too_low"
    assert code(attempt(as_manager, manager)) == "delegate_is_self"
    assert code(attempt(as_manager, uuid.uuid4())) == "delegate_not_found"
    too_long = _window(timedelta(days=1), timedelta(days=100))
    assert code(attempt(as_manager, manager2, **too_long)) == "window_too_long"
    backwards = _window(timedelta(days=2), timedelta(days=1))
    assert code(attempt(as_manager, manager2, **backwards)) == "invalid_window"
    naive = {"starts_at": "2030-01-01T08:00:00", "ends_at": "2030-01-02T08:00:00"}
    assert attempt(as_manager, manager2, **naive).status_code == 422
    # The year 10000 once in UTC: stored, it would make every read of the absence fail.
    year_10000 = {"starts_at": "9999-12-01T00:00:00Z", "ends_at": "9999-12-31T23:00:00-14:00"}
    assert code(attempt(as_manager, manager2, **year_10000)) == "validation_error"
    assert api.http.get("/api/v1/users/me/absences", headers=as_manager).status_code == 200

    applicant = api.login(api.register())
    assert attempt(applicant, manager).status_code == 403
    other = api.http.post(
        f"/api/v1/users/{analyst.id}/absences",
        json={"delegate_id": str(manager.id), **_window(timedelta(days=1), timedelta(days=2))},
        headers=as_manager,
    )
    assert other.status_code == 403

    # A→B set; then B→A (a loop), A again (overlap) and B→C (B covers A: a chain).
    as_analyst, as_analyst2 = api.login(analyst), api.login(analyst2)
    with _away(api, as_analyst, analyst2, timedelta(days=1), timedelta(days=2)):
        assert attempt(as_analyst2, analyst).status_code == 409
        assert code(attempt(as_analyst2, analyst)) == "delegate_absent"
        assert code(attempt(as_analyst, manager)) == "overlapping_absence"
        assert code(attempt(as_analyst2, manager)) == "user_is_delegate"
        later = _window(timedelta(days=3), timedelta(days=4))
        assert attempt(as_analyst2, manager, **later).status_code == 201  # no overlap: fine
        mine = api.http.get("/api/v1/users/me/absences", headers=as_analyst2).json()
        for absence in mine:
            api.http.delete(f"/api/v1/users/me/absences/{absence['id']}", headers=as_analyst2)


def test_an_admin_sets_and_cancels_an_absence_for_someone_else(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    admin, analyst, manager = staff["admin1"], staff["analyst2"], staff["manager2"]
    as_admin = api.login(admin)
    candidates = api.http.get(f"/api/v1/users/{analyst.id}/absences/delegates", headers=as_admin)
    assert candidates.status_code == 200
    names = {c["username"] for c in candidates.json()}
    assert manager.username in names and analyst.username not in names
    assert staff["risk_officer1"].username not in names

    created = api.http.post(
        f"/api/v1/users/{analyst.id}/absences",
        json={"delegate_id": str(manager.id), **_window(timedelta(days=5), timedelta(days=6))},
        headers=as_admin,
    )

    assert created.status_code == 201, created.text
    absence = created.json()
    assert absence["created_by"] == admin.username and absence["user"] == analyst.username
    (entry,) = _audit("absence.created", absence["id"])
    assert entry.actor == admin.username
    assert entry.details and entry.details["user_id"] == str(analyst.id)
    drain()
    told = [m for m in mailbox.to(manager.email) if "delegate" in m["Subject"]]
    assert told and "out of office" in told[-1]["Body"]["text_part"]
    own = api.http.get("/api/v1/users/me/absences", headers=api.login(analyst)).json()
    assert absence["id"] in {a["id"] for a in own}

    cancelled = api.http.delete(
        f"/api/v1/users/{analyst.id}/absences/{absence['id']}", headers=as_admin
    )
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    again = api.http.delete(
        f"/api/v1/users/{analyst.id}/absences/{absence['id']}", headers=as_admin
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "absence_over"
    (cancel_entry,) = _audit("absence.cancelled", absence["id"])
    assert cancel_entry.actor == admin.username


def test_cancelling_an_absence_under_way_brings_the_stages_back(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    _, request_id, absent, _ = assigned_request(api, staff, drain, mailbox)
    delegate = _colleague(staff, absent)
    auth = api.login(absent)
    with _away(api, auth, delegate, timedelta(minutes=-1), timedelta(hours=2)) as absence:
        assert api.staff_view(staff, request_id)["stages"][0]["assignee"] == delegate.username
        cancelled = api.http.delete(f"/api/v1/users/me/absences/{absence['id']}", headers=auth)
        assert cancelled.status_code == 200
    stage = api.staff_view(staff, request_id)["stages"][0]
    assert stage["assignee"] == absent.username and stage["on_behalf_of"] is None


def test_escalation_skips_an_absent_user(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    _, request_id, _, _ = assigned_request(api, staff, drain, mailbox)
    with unit_of_work() as session:
        stage = session.scalars(
            select(ApprovalStage).where(ApprovalStage.request_id == request_id)
        ).one()
        assert stage.assigned_at and stage.due_at
        stage.assigned_at -= timedelta(hours=97)  # overdue by twice the SLA: escalates
        stage.due_at -= timedelta(hours=97)
    absent = staff["manager1"]
    with _away(api, api.login(absent), staff["director1"], timedelta(0), timedelta(hours=1)):
        _run(drain, utcnow())
        stage_out = api.staff_view(staff, request_id)["stages"][0]
        assert stage_out["assignee"] == staff["manager2"].username  # never the absent manager1


def test_segregation_of_duties_holds_when_the_delegate_may_not_take_the_stage(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    _, request_id, analyst, _ = assigned_request(api, staff, drain, mailbox, amount="50000.00")
    decided = api.http.post(
        f"/api/v1/credit-requests/{request_id}/decision",
        json={"decision": "approve"},
        headers=api.login(analyst),
    )
    assert decided.status_code == 200, decided.text
    drain()
    absent = api.assignee(staff, request_id, index=1)
    delegate = _colleague(staff, absent)
    with unit_of_work() as session:
        # As if the delegate had decided stage 1 (say, after an escalation): they may not
        # decide stage 2 of the same request.
        first = session.scalars(
            select(ApprovalStage).where(
                ApprovalStage.request_id == request_id, ApprovalStage.level == 1
            )
        ).one()
        first.decided_by = delegate.id
    auth = api.login(absent)
    with _away(api, auth, delegate, timedelta(minutes=-1), timedelta(hours=1)) as absence:
        second = api.staff_view(staff, request_id)["stages"][1]
        # Neither the delegate (second stage) nor the absent manager: nobody eligible is left.
        assert second["assignee"] is None
        (moved,) = _audit("stage.delegated", second["id"])
        assert moved.details and moved.details["to_delegate"] is False
        assert _audit("stage.assignment_failed", second["id"])

        api.http.delete(f"/api/v1/users/me/absences/{absence['id']}", headers=auth)

        back = api.staff_view(staff, request_id)["stages"][1]
        assert back["assignee"] == absent.username  # comes back once they are
