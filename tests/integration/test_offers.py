"""Counteroffers: the final approver approves other terms, the applicant accepts or declines
them (or lets them lapse), through every step's real handler."""

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from functions.escalate.handler import handler as escalate_handler
from infra.local.lambda_events import LambdaContext, scheduled_event
from shared.approvals import offers
from shared.approvals.models import Offer
from shared.approvals.service import trail_entities
from shared.audit.models import AuditLog
from shared.clock import utcnow
from shared.db import unit_of_work
from shared.messaging.models import OutboxEvent
from shared.messaging.outbox import relay_pending
from tests.conftest import Mailbox
from tests.support import Api, Person, link_token

COUNTEROFFER: dict[str, Any] = {
    "decision": "counteroffer",
    "comment": "We can lend 4,000 over 36 months on your income.",
    "offer": {"amount": "4000.00", "term_months": 36},
    "reason_codes": ["AMOUNT_TOO_HIGH"],
}


def _pending_stage(api: Api, staff: dict[str, Person], request_id: str) -> dict[str, Any]:
    return next(s for s in api.staff_view(staff, request_id)["stages"] if s["status"] == "pending")


def _holder(api: Api, staff: dict[str, Person], request_id: str) -> Person:
    username = _pending_stage(api, staff, request_id)["assignee"]
    return next(p for p in staff.values() if p.username == username)


def _decide(api: Api, who: Person, request_id: str, body: dict[str, Any]) -> Any:
    return api.http.post(
        f"/api/v1/credit-requests/{request_id}/decision", json=body, headers=api.login(who)
    )


def _offered(
    api: Api, staff: dict[str, Person], drain: Callable[[], None]
) -> tuple[Person, dict[str, str], str, Person]:
    """A one-stage request (5,000 over 24 months) its analyst made a counteroffer on."""
    applicant = api.register()
    auth = api.login(applicant)
    request_id = api.submit(auth)["id"]
    drain()
    analyst = _holder(api, staff, request_id)
    response = _decide(api, analyst, request_id, COUNTEROFFER)
    assert response.status_code == 200, response.text
    drain()
    return applicant, auth, request_id, analyst


def _actions(request_id: str) -> list[str]:
    """The request's audit trail, as the audit log screen finds it (`request_id=`)."""
    with unit_of_work() as session:
        entities = [e for _, e in trail_entities(session, uuid.UUID(request_id))]
        return list(
            session.scalars(
                select(AuditLog.action)
                .where(AuditLog.entity_id.in_(entities))
                .order_by(AuditLog.id)
            )
        )


def _events(request_id: str) -> list[str]:
    with unit_of_work() as session:
        return list(
            session.scalars(
                select(OutboxEvent.event_type)
                .where(OutboxEvent.payload["request_id"].astext == request_id)
                .order_by(OutboxEvent.created_at)
            )
        )


def test_final_approver_offers_other_terms_and_the_applicant_is_emailed(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    applicant, auth, request_id, analyst = _offered(api, staff, drain)

    detail = api.request(auth, request_id)
    assert detail["status"] == "offer_made"
    assert detail["amount"] == "5000.00" and detail["term_months"] == 24  # as asked
    assert detail["stages"][0]["status"] == "approved"
    offer = detail["offer"]
    assert offer["requested_amount"] == "5000.00"
    assert offer["amount"] == "4000.00" and offer["term_months"] == 36
    assert offer["installment"] == "132.86"  # 4,000 over 36 months at 12 %
    assert offer["requested_installment"] == "235.37"
    assert offer["reason"] == COUNTEROFFER["comment"]
    assert [r["code"] for r in offer["reason_codes"]] == ["AMOUNT_TOO_HIGH"]
    assert offer["outcome"] is None
    assert detail["decided_at"] is None  # the applicant has not answered yet

    mail = [m for m in mailbox.to(applicant.email) if "offer on other terms" in m["Subject"]]
    assert len(mail) == 1
    text = mail[0]["Body"]["text_part"]
    assert "$4,000.00" in text and "36 months" in text and "$132.86" in text
    assert f"/requests/{request_id}" in text
    assert "too high for your income" in text

    assert "stage.counteroffered" in _actions(request_id)
    with unit_of_work() as session:
        entry = session.scalars(
            select(AuditLog)
            .where(AuditLog.action == "stage.counteroffered")
            .where(AuditLog.details["request_id"].astext == request_id)
        ).one()
        assert entry.details is not None and entry.details["amount"] == "4000.00"
        assert entry.details["reason_codes"] == ["AMOUNT_TOO_HIGH"]
        assert entry.actor == analyst.username


def test_applicant_accepts_and_the_request_is_approved_on_the_offered_terms(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    applicant, auth, request_id, _ = _offered(api, staff, drain)

    accepted = api.http.post(f"/api/v1/credit-requests/{request_id}/offer/accept", headers=auth)
    assert accepted.status_code == 200, accepted.text
    drain()

    body = accepted.json()
    assert body["status"] == "approved" and body["decided_at"] is not None
    assert body["offer"]["outcome"] == "accepted"
    assert body["offer"]["responded_at"] is not None
    approved = [m for m in mailbox.to(applicant.email) if "was approved" in m["Subject"]]
    assert len(approved) == 1
    assert "terms you accepted" in approved[0]["Body"]["text_part"]
    assert "$4,000.00" in approved[0]["Body"]["text_part"]
    assert "offer.accepted" in _actions(request_id)
    assert _events(request_id)[-1] == "request.approved"

    again = api.http.post(f"/api/v1/credit-requests/{request_id}/offer/decline", headers=auth)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "no_open_offer"


def test_applicant_declines_and_the_request_ends_as_offer_declined(
    api: Api, staff: dict[str, Person], drain: Callable[[], None]
) -> None:
    _, auth, request_id, _ = _offered(api, staff, drain)

    declined = api.http.post(f"/api/v1/credit-requests/{request_id}/offer/decline", headers=auth)
    assert declined.status_code == 200, declined.text
    assert declined.json()["status"] == "offer_declined"
    assert declined.json()["offer"]["outcome"] == "declined"
    assert "offer.declined" in _actions(request_id)
    assert _events(request_id)[-1] == "request.offer_declined"
    with unit_of_work() as session:
        offer = offers.for_request(session, uuid.UUID(request_id))
        assert offer is not None and offer.reason_codes[0]["code"] == "AMOUNT_TOO_HIGH"
    # The adverse action notice quotes the offer's own principal reasons, in its words.
    drain()
    notice = api.http.get(f"/api/v1/credit-requests/{request_id}/notice", headers=auth)
    assert notice.status_code == 200, notice.text
    assert notice.json()["action"] == "offer_declined"
    assert notice.json()["reasons"] == offer.reason_codes


def test_only_the_owner_answers_an_offer(
    api: Api, staff: dict[str, Person], drain: Callable[[], None]
) -> None:
    _, _, request_id, analyst = _offered(api, staff, drain)
    stranger = api.login(api.register("stranger"))

    by_stranger = api.http.post(
        f"/api/v1/credit-requests/{request_id}/offer/accept", headers=stranger
    )
    by_staff = api.http.post(
        f"/api/v1/credit-requests/{request_id}/offer/accept", headers=api.login(analyst)
    )

    assert by_stranger.status_code == 404
    assert by_staff.status_code == 403


def test_only_the_last_stage_may_make_an_offer(
    api: Api, staff: dict[str, Person], drain: Callable[[], None]
) -> None:
    auth = api.login(api.register())
    request_id = api.submit(auth, amount="150000.00", term_months=120, monthly_income="25000.00")[
        "id"
    ]
    drain()
    analyst = _holder(api, staff, request_id)

    early = _decide(api, analyst, request_id, {**COUNTEROFFER, "offer": {"amount": "100000.00"}})

    assert early.status_code == 409
    assert early.json()["error"]["code"] == "not_final_stage"
    assert api.staff_view(staff, request_id)["status"] == "pending_approval"
    assert _pending_stage(api, staff, request_id)["level"] == 1


def test_segregation_of_duties_holds_for_counteroffers(
    api: Api, staff: dict[str, Person], drain: Callable[[], None]
) -> None:
    auth = api.login(api.register())
    request_id = api.submit(auth)["id"]
    drain()
    holder = _holder(api, staff, request_id)
    other = next(p for p in staff.values() if p.role == "analyst" and p != holder)

    refused = _decide(api, other, request_id, COUNTEROFFER)

    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "not_assignee"
    assert "stage.decision_refused" in _actions(request_id)


def test_bad_terms_are_refused_with_machine_readable_codes(
    api: Api, staff: dict[str, Person], drain: Callable[[], None]
) -> None:
    auth = api.login(api.register())
    request_id = api.submit(auth)["id"]
    drain()
    analyst = _holder(api, staff, request_id)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"offer": {"amount": "6000.00"}}, "offer_exceeds_request"),
        ({"offer": {"amount": "5000.00", "term_months": 24}}, "offer_unchanged"),
        ({"reason_codes": ["NOT_A_CODE"]}, "unknown_reason_code"),
    ]
    for change, code in cases:
        response = _decide(api, analyst, request_id, {**COUNTEROFFER, **change})
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == code
    for change in (
        {"offer": {}},
        {"reason_codes": []},
        {"comment": " "},
        {"offer": {"term_months": 3}},
        {"reason_codes": ["A1", "A2", "A3", "A4", "A5"]},
    ):
        response = _decide(api, analyst, request_id, {**COUNTEROFFER, **change})
        assert response.status_code == 422, (change, response.text)
    assert api.staff_view(staff, request_id)["status"] == "pending_approval"


def test_an_unanswered_offer_lapses_at_the_escalate_run_after_its_expiry(
    api: Api, staff: dict[str, Person], drain: Callable[[], None]
) -> None:
    _, auth, request_id, _ = _offered(api, staff, drain)
    with unit_of_work() as session:
        offers.lapse(session, now=utcnow() + timedelta(days=29))
    assert api.request(auth, request_id)["status"] == "offer_made"
    assert request_id in _open_ids()

    with unit_of_work() as session:
        offer = session.scalars(
            select(Offer).where(Offer.request_id == uuid.UUID(request_id))
        ).one()
        offer.expires_at = utcnow() - timedelta(minutes=1)
    late = api.http.post(f"/api/v1/credit-requests/{request_id}/offer/accept", headers=auth)
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "offer_expired"

    first = escalate_handler(scheduled_event("escalate"), LambdaContext("escalate"))
    second = escalate_handler(scheduled_event("escalate"), LambdaContext("escalate"))
    relay_pending()
    drain()

    assert first["offers_lapsed"] >= 1
    assert request_id not in _open_ids()
    assert second["offers_lapsed"] == 0
    detail = api.request(auth, request_id)
    assert detail["status"] == "offer_declined"
    assert detail["offer"]["outcome"] == "lapsed"
    assert detail["offer"]["responded_at"] is None
    assert _actions(request_id).count("offer.lapsed") == 1
    assert _events(request_id).count("request.offer_declined") == 1


def _open_ids() -> set[str]:
    with unit_of_work() as session:
        return {
            str(i) for i in session.scalars(select(Offer.request_id).where(Offer.outcome.is_(None)))
        }


def test_the_emailed_link_makes_a_counteroffer_and_shows_the_catalogue(
    api: Api, staff: dict[str, Person], drain: Callable[[], None], mailbox: Mailbox
) -> None:
    auth = api.login(api.register())
    request_id = api.submit(auth)["id"]
    drain()
    analyst = _holder(api, staff, request_id)
    mail = next(m for m in mailbox.to(analyst.email) if request_id[:8] in m["Subject"])
    token = link_token(mail)

    summary = api.http.get(f"/api/v1/approval-links/{token}")
    assert summary.status_code == 200
    terms = summary.json()["counteroffer"]
    assert terms["reference_annual_rate"] == "0.12"
    assert "AMOUNT_TOO_HIGH" in [r["code"] for r in terms["decline_reasons"]]

    decided = api.http.post(f"/api/v1/approval-links/{token}", json=COUNTEROFFER)
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "offer_made"
    assert api.staff_view(staff, request_id)["stages"][0]["decided_via"] == "email_link"


def test_counteroffer_terms_for_signed_in_approvers(api: Api, staff: dict[str, Person]) -> None:
    analyst = next(p for p in staff.values() if p.role == "analyst")
    response = api.http.get("/api/v1/counteroffer-terms", headers=api.login(analyst))
    assert response.status_code == 200
    assert response.json()["min_term_months"] == 6
    assert response.json()["max_reasons"] == 4
