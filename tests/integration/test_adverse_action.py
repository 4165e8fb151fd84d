"""Adverse action notices end to end in process: each of the four adverse outcomes (automatic
decline, human rejection, incomplete close, unaccepted counteroffer) gives exactly one stored
notice and one email with every element the law asks for; a duplicate event sends nothing
more; a rejection without reason codes is refused; the notice page's access rules; and the
overdue gauge behind the AdverseActionNoticeOverdue alert."""

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from infra.local.workflow_metrics import WorkflowCollector
from shared import aws
from shared.audit.models import AuditLog
from shared.clock import utcnow
from shared.credit.bureau import DeclaredDataBureau
from shared.credit.models import CreditRequest
from shared.credit.policy import DEFAULT_DECLINE_REASONS
from shared.db import unit_of_work
from shared.messaging.models import OutboxEvent
from shared.messaging.outbox import add_event, envelope_of, state_change
from shared.notifications import adverse_action
from shared.notifications.notice_models import AdverseActionNotice
from shared.workflow.events import EventType, RequestEvent
from shared.workflow.states import RequestStatus
from tests.conftest import Mailbox
from tests.support import Api, Person

CATALOGUE = {r["code"]: r["message"] for r in DEFAULT_DECLINE_REASONS}
CONTACT = DeclaredDataBureau.contact


def _notices(request_id: str) -> list[AdverseActionNotice]:
    with unit_of_work() as session:
        return list(
            session.scalars(
                select(AdverseActionNotice).where(
                    AdverseActionNotice.request_id == uuid.UUID(request_id)
                )
            )
        )


def _notice_emails(mailbox: Mailbox, person: Person, request_id: str) -> list[dict[str, Any]]:
    return [
        m
        for m in mailbox.to(person.email)
        if f"notice about credit request {request_id[:8]}" in m["Subject"]
    ]


def _audited(request_id: str, action: str) -> int:
    with unit_of_work() as session:
        return len(
            session.scalars(
                select(AuditLog).where(
                    AuditLog.action == action,
                    AuditLog.entity_type == "credit_request",
                    AuditLog.entity_id == request_id,
                )
            ).all()
        )


def _assert_every_element(text: str, reasons: list[str], *, score: int | None) -> None:
    for reason in reasons:
        assert f"  - {reason}" in text
    for fact in (CONTACT.name, CONTACT.address, CONTACT.phone, CONTACT.website):
        assert fact in text
    assert "played no part in our decision" in text
    assert "free copy of your report" in text and "60 days" in text
    assert "right to dispute" in text
    assert "Equal Credit Opportunity Act" in text and "Consumer Financial Protection Bureau" in text
    if score is not None:
        assert f"Your credit score: {score}" in text
        assert "Scores range from: 300 to 850" in text
        assert "Date of the score: " in text
        assert "Key factors that adversely affected your score" in text


def _into_state(request_id: str, status: RequestStatus, event: EventType) -> None:
    """Put a request in an adverse state directly and announce it, as the producers being
    built elsewhere will (the notify consumer is what is under test)."""
    with state_change() as session:
        request = session.get(CreditRequest, uuid.UUID(request_id), with_for_update=True)
        assert request is not None
        request.status = status.value
        request.decided_at = utcnow()
        add_event(session, event, RequestEvent(request_id=request.id))


def test_an_automatic_decline_gets_one_notice_and_one_email_with_every_element(
    api: Api, drain: Callable[[], None], mailbox: Mailbox
) -> None:
    applicant = api.register("declined")
    auth = api.login(applicant)
    request_id = api.submit(auth, credit_score=540, delinquencies_24m=4)["id"]
    drain()

    [notice] = _notices(request_id)
    assert notice.action == "auto_rejected" and notice.sent_at is not None
    assert 1 <= len(notice.reasons) <= 4
    assert [r["code"] for r in notice.reasons] == ["LOW_CREDIT_SCORE", "RECENT_DELINQUENCIES"]
    assert notice.score is not None and notice.score["value"] == 540
    assert notice.score["range"] == [300, 850]
    assert "4 late payment(s) in the last 24 months." in notice.score["factors"]
    assert notice.bureau == CONTACT.model_dump()

    [email] = _notice_emails(mailbox, applicant, request_id)
    assert email["Subject"].startswith("Your credit request was declined")
    text, html = email["Body"]["text_part"], email["Body"]["html_part"]
    _assert_every_element(text, [r["message"] for r in notice.reasons], score=540)
    assert f"http://app.test/requests/{request_id}/notice" in text
    assert f'href="http://app.test/requests/{request_id}/notice"' in html
    assert _audited(request_id, "notice.created") == 1
    assert _audited(request_id, "notice.sent") == 1

    # The same event delivered again, and the decision announced a second time: no more.
    with unit_of_work() as session:
        row = session.scalars(
            select(OutboxEvent).where(
                OutboxEvent.event_type == EventType.REQUEST_AUTO_REJECTED.value,
                OutboxEvent.payload["request_id"].astext == request_id,
            )
        ).one()
        body = envelope_of(row).model_dump_json()
    aws.client("sqs").send_message(QueueUrl=aws.queue_url("notify"), MessageBody=body)
    with state_change() as session:
        add_event(
            session,
            EventType.REQUEST_AUTO_REJECTED,
            RequestEvent(request_id=uuid.UUID(request_id)),
        )
    drain()
    assert len(_notice_emails(mailbox, applicant, request_id)) == 1
    assert len(_notices(request_id)) == 1
    assert _audited(request_id, "notice.sent") == 1


def test_a_request_declined_again_later_gets_a_notice_for_each_decline(
    api: Api, drain: Callable[[], None], mailbox: Mailbox
) -> None:
    """Declined, its review overturned, then declined again on the answer to an approver's
    questions (the request put in that state here): the second decline, with its own
    reasons, is a decision of its own and gets its own notice and email, one only however
    often it is announced."""
    applicant = api.register("declined-twice")
    request_id = api.submit(api.login(applicant), credit_score=540)["id"]
    drain()
    [first] = _notices(request_id)
    again = {"code": "EXCESSIVE_OBLIGATIONS", "message": CATALOGUE["EXCESSIVE_OBLIGATIONS"]}
    with state_change() as session:
        request = session.get(CreditRequest, uuid.UUID(request_id), with_for_update=True)
        assert request is not None
        request.decided_at, request.decision_reasons = utcnow(), [again]
        add_event(session, EventType.REQUEST_AUTO_REJECTED, RequestEvent(request_id=request.id))
    drain()
    with state_change() as session:  # the second decline announced again: nothing more
        add_event(
            session, EventType.REQUEST_AUTO_REJECTED, RequestEvent(request_id=uuid.UUID(request_id))
        )
    drain()

    notices = sorted(_notices(request_id), key=lambda n: n.decided_at)
    assert [n.id for n in notices][:1] == [first.id] and len(notices) == 2
    assert notices[1].reasons == [again] and notices[1].sent_at is not None
    emails = _notice_emails(mailbox, applicant, request_id)
    assert len(emails) == 2
    assert any(again["message"] in e["Body"]["text_part"] for e in emails)
    with unit_of_work() as session:
        assert adverse_action.for_request(session, uuid.UUID(request_id)).id == notices[-1].id  # type: ignore[union-attr]


def test_a_human_rejection_needs_reason_codes_from_the_catalogue(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    applicant = api.register("rejected")
    auth = api.login(applicant)
    request_id = api.submit(auth)["id"]
    drain()
    approver = api.login(api.assignee(staff, request_id))
    url = f"/api/v1/credit-requests/{request_id}/decision"

    missing = api.http.post(url, json={"decision": "reject", "comment": "No."}, headers=approver)
    assert missing.status_code == 422, missing.text
    too_many = api.http.post(
        url,
        json={
            "decision": "reject",
            "comment": "No.",
            "reason_codes": list(CATALOGUE)[:5],
        },
        headers=approver,
    )
    assert too_many.status_code == 422, too_many.text
    unknown = api.http.post(
        url,
        json={"decision": "reject", "comment": "No.", "reason_codes": ["INTERNAL_STANDARDS"]},
        headers=approver,
    )
    assert unknown.status_code == 422, unknown.text
    assert unknown.json()["error"]["code"] == "unknown_reason_code"
    assert api.request(auth, request_id)["status"] == "pending_approval"

    # The catalogue the form offers, to staff only.
    reasons = api.http.get("/api/v1/decline-reasons", headers=approver)
    assert reasons.status_code == 200
    assert {r["code"] for r in reasons.json()} == set(CATALOGUE)
    assert api.http.get("/api/v1/decline-reasons", headers=auth).status_code == 403

    decided = api.http.post(
        url,
        json={
            "decision": "reject",
            "comment": "Payslips <irregular>.",
            "reason_codes": ["TEMPORARY_EMPLOYMENT", "UNABLE_TO_VERIFY_INCOME"],
        },
        headers=approver,
    )
    assert decided.status_code == 200, decided.text
    drain()

    [notice] = _notices(request_id)
    assert notice.action == "rejected" and notice.sent_at is not None
    assert notice.reasons == [
        {"code": code, "message": CATALOGUE[code]}
        for code in ("TEMPORARY_EMPLOYMENT", "UNABLE_TO_VERIFY_INCOME")
    ]
    assert notice.comment == "Payslips <irregular>."  # the default policy shares it
    [email] = _notice_emails(mailbox, applicant, request_id)
    text = email["Body"]["text_part"]
    _assert_every_element(text, [r["message"] for r in notice.reasons], score=760)
    assert "> Payslips <irregular>." in text
    assert not [m for m in mailbox.to(applicant.email) if "was rejected" in m["Subject"]]


def test_an_incomplete_close_and_an_unaccepted_counteroffer_get_their_notice(
    api: Api, drain: Callable[[], None], mailbox: Mailbox
) -> None:
    for status, event, code in (
        (RequestStatus.INCOMPLETE, EventType.REQUEST_INCOMPLETE, "INCOMPLETE_APPLICATION"),
        (RequestStatus.OFFER_DECLINED, EventType.REQUEST_OFFER_DECLINED, "AMOUNT_TOO_HIGH"),
    ):
        applicant = api.register(status.value.replace("_", "-"))
        request_id = api.submit(api.login(applicant))["id"]
        drain()
        _into_state(request_id, status, event)
        drain()

        [notice] = _notices(request_id)
        assert notice.action == status.value and notice.sent_at is not None
        assert notice.reasons == [{"code": code, "message": CATALOGUE[code]}]
        [email] = _notice_emails(mailbox, applicant, request_id)
        _assert_every_element(email["Body"]["text_part"], [CATALOGUE[code]], score=760)


def test_the_notice_page_is_the_applicants_and_staffs_and_404_without_one(
    api: Api, staff: dict[str, Person], drain: Callable[[], None]
) -> None:
    owner = api.register("owner")
    auth = api.login(owner)
    declined = api.submit(auth, credit_score=500)["id"]
    pending = api.submit(auth)["id"]
    drain()

    mine = api.http.get(f"/api/v1/credit-requests/{declined}/notice", headers=auth)
    assert mine.status_code == 200, mine.text
    body = mine.json()
    assert body["action"] == "auto_rejected"
    assert body["score"]["value"] == 500
    assert (body["score"]["range_low"], body["score"]["range_high"]) == (300, 850)
    assert body["bureau"]["name"] == CONTACT.name
    assert "60 days" in body["statements"]["free_report"]
    assert "Consumer Financial Protection Bureau" in body["statements"]["ecoa"]
    assert body["sent_at"] is not None

    admin = api.login(staff["admin1"])
    assert api.http.get(f"/api/v1/credit-requests/{declined}/notice", headers=admin).json() == body
    stranger = api.login(api.register("stranger"))
    other = api.http.get(f"/api/v1/credit-requests/{declined}/notice", headers=stranger)
    assert other.status_code == 404
    none = api.http.get(f"/api/v1/credit-requests/{pending}/notice", headers=auth)
    assert none.status_code == 404
    assert none.json()["error"]["code"] == "no_notice"


def _gauge() -> float:
    for family in WorkflowCollector().collect():
        if family.name == "credit_adverse_action_notices_overdue":
            return float(family.samples[0].value)
    raise AssertionError("the gauge is missing")


def test_the_overdue_gauge_counts_old_decisions_without_a_sent_notice_only(
    api: Api, drain: Callable[[], None]
) -> None:
    auth = api.login(api.register("overdue"))
    with_notice = api.submit(auth, credit_score=500)["id"]
    without = api.submit(auth)["id"]
    recent = api.submit(auth)["id"]
    drain()
    before = _gauge()
    with unit_of_work() as session:
        old = utcnow() - timedelta(days=26)
        # Decided 26 days ago: one notified (by notify, above), one never (no event sent).
        session.get(CreditRequest, uuid.UUID(with_notice)).decided_at = old  # type: ignore[union-attr]
        adverse_action.for_request(session, uuid.UUID(with_notice)).decided_at = old  # type: ignore[union-attr]
        for request_id, age in ((without, old), (recent, utcnow() - timedelta(days=3))):
            request = session.get(CreditRequest, uuid.UUID(request_id))
            assert request is not None
            request.status, request.decided_at = RequestStatus.REJECTED.value, age
    assert _gauge() == before + 1

    with unit_of_work() as session:
        assert adverse_action.overdue(session) == before + 1
        assert adverse_action.overdue(session, utcnow() + timedelta(days=23)) == before + 2
        request = session.get(CreditRequest, uuid.UUID(without))
        assert request is not None
        session.add(adverse_action.build(session, request, CONTACT))  # stored, not sent
    assert _gauge() == before + 1
    with unit_of_work() as session:
        stored = adverse_action.for_request(session, uuid.UUID(without))
        assert stored is not None
        stored.sent_at = utcnow()
    assert _gauge() == before
