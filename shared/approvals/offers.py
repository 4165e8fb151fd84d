"""Counteroffers: the final approver approves other terms than those asked for (a lower
amount, another term, or both), with a reason and the principal reasons from the policy's
catalogue; the applicant accepts (the request is approved, on those terms) or declines them
within OFFER_DAYS, after which the escalate step closes the offer as lapsed. A declined or
lapsed offer ends the request as `offer_declined`, an adverse action (Reg B 1002.9): its
notice quotes the offer's reason codes.

Who may make one, and the segregation of duties, are `service.decide`'s: a counteroffer is a
decision on the last stage. This module checks the terms and runs the offer's life.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.approvals.models import ApprovalStage, Offer
from shared.approvals.schemas import (
    CounterofferTerms,
    Decision,
    OfferOut,
    OfferOutcome,
)
from shared.audit.service import Actor, record
from shared.clock import utcnow
from shared.credit import policy
from shared.credit.models import CreditRequest
from shared.credit.policy import MAX_NOTICE_REASONS
from shared.credit.schemas import MAX_TERM_MONTHS, MIN_TERM_MONTHS, DecisionReason
from shared.credit.scoring import monthly_installment
from shared.credit.service import snapshot, visible_request
from shared.errors import Conflict, InvalidInput
from shared.messaging.outbox import add_event
from shared.users.identity import Identity
from shared.workflow.events import EventType, RequestEvent
from shared.workflow.states import RequestStatus, advance_request

OFFER_DAYS = 30
"""How long the applicant has to accept or decline a counteroffer."""

LAPSER = Actor.system("escalate")  # the scheduled step that closes lapsed offers


@dataclass(frozen=True)
class Terms:
    """A counteroffer's checked terms, its installment computed."""

    amount: Decimal
    term_months: int
    annual_rate: Decimal
    installment: Decimal
    reasons: list[dict[str, str]]  # [{code, message}], quoted from the catalogue


def is_final(session: Session, stage: ApprovalStage) -> bool:
    """Whether `stage` is the last of its request's chain (the whole chain is built at once;
    an amendment that changed the chain built a new round of it)."""
    last = session.scalar(
        select(func.max(ApprovalStage.level)).where(
            ApprovalStage.request_id == stage.request_id, ApprovalStage.round == stage.round
        )
    )
    return stage.level == last


def check_terms(
    session: Session, request: CreditRequest, stage: ApprovalStage, decision: Decision
) -> Terms:
    """The terms of a counteroffer on `stage`, checked: 409 `not_final_stage` unless it is the
    chain's last; 422 when the amount exceeds the one asked for (`offer_exceeds_request`),
    nothing differs (`offer_unchanged`) or a reason code is not in the active policy's
    catalogue (`unknown_reason_code`)."""
    assert decision.offer is not None  # Decision's validator
    if not is_final(session, stage):
        raise Conflict(
            "Only the last stage of the approval chain may approve other terms.",
            code="not_final_stage",
        )
    amount = decision.offer.amount if decision.offer.amount is not None else request.amount
    term = decision.offer.term_months or request.term_months
    if amount > request.amount:
        raise InvalidInput(
            "An offer may not lend more than was asked for.",
            code="offer_exceeds_request",
            details={"requested_amount": f"{request.amount:.2f}"},
        )
    if amount == request.amount and term == request.term_months:
        raise InvalidInput(
            "The offer's terms are those asked for: approve the request instead.",
            code="offer_unchanged",
        )
    in_force = policy.active(session).policy
    reasons = in_force.reasons_for(decision.reason_codes)
    rate = in_force.reference_annual_rate
    return Terms(amount, term, rate, monthly_installment(amount, term, rate), reasons)


def make(
    session: Session,
    actor: Identity,
    request: CreditRequest,
    stage: ApprovalStage,
    terms: Terms,
    reason: str,
    now: datetime,
) -> Offer:
    """Put the offer to the applicant: the request becomes `offer_made`, with
    `request.offer_made` (the applicant's email). The caller audits the decision."""
    advance_request(request, RequestStatus.OFFER_MADE)
    offer = Offer(
        request_id=request.id,
        applicant_id=request.applicant_id,
        stage_id=stage.id,
        amount=terms.amount,
        term_months=terms.term_months,
        annual_rate=terms.annual_rate,
        installment=terms.installment,
        reason=reason,
        reason_codes=terms.reasons,
        made_by=actor.id,
        made_at=now,
        expires_at=now + timedelta(days=OFFER_DAYS),
    )
    session.add(offer)
    session.flush()
    add_event(session, EventType.REQUEST_OFFER_MADE, RequestEvent(request_id=request.id))
    return offer


def audit_details(offer: Offer) -> dict[str, object]:
    """What the audit trail records of an offer."""
    return {
        "offer_id": str(offer.id),
        "amount": f"{offer.amount:.2f}",
        "term_months": offer.term_months,
        "installment": f"{offer.installment:.2f}",
        "reason_codes": [r["code"] for r in offer.reason_codes],
        "expires_at": offer.expires_at.isoformat(),
    }


def for_request(session: Session, request_id: uuid.UUID, *, lock: bool = False) -> Offer | None:
    """The request's counteroffer, if it had one."""
    query = select(Offer).where(Offer.request_id == request_id)
    return session.scalar(query.with_for_update() if lock else query)


def respond(
    session: Session, applicant: Identity, request_id: uuid.UUID, *, accept: bool
) -> CreditRequest:
    """The applicant accepts the open offer on their request (approved on its terms, with
    `request.approved`) or declines it (`offer_declined`, with `request.offer_declined`).
    Audited. 409 `no_open_offer` when none awaits an answer, `offer_expired` after expiry."""
    # The request first, then its offer: the order the lapse sweep locks them in.
    request = visible_request(session, applicant, request_id, lock=True)
    offer = for_request(session, request.id, lock=True)
    if offer is None or offer.outcome is not None or request.status != RequestStatus.OFFER_MADE:
        raise Conflict("No offer on this request awaits your answer.", code="no_open_offer")
    now = utcnow()
    if now >= offer.expires_at:
        raise Conflict(
            "This offer expired: it can no longer be accepted or declined.",
            code="offer_expired",
            details={"expires_at": offer.expires_at.isoformat()},
        )
    outcome: OfferOutcome = "accepted" if accept else "declined"
    _close(session, Actor.of(applicant), request, offer, outcome, now)
    return request


def _close(
    session: Session,
    actor: Actor,
    request: CreditRequest,
    offer: Offer,
    outcome: OfferOutcome,
    now: datetime,
) -> None:
    before = snapshot(request)
    offer.outcome = outcome
    if outcome != "lapsed":
        offer.responded_at = now
    accepted = outcome == "accepted"
    advance_request(request, RequestStatus.APPROVED if accepted else RequestStatus.OFFER_DECLINED)
    request.decided_at = now
    record(
        session,
        actor,
        # Spelled out: the audit log screen's list of actions is read from the source.
        "offer.accepted"
        if outcome == "accepted"
        else "offer.declined"
        if outcome == "declined"
        else "offer.lapsed",
        "credit_request",
        request.id,
        before=before,
        after=snapshot(request),
        details=audit_details(offer),
    )
    add_event(
        session,
        EventType.REQUEST_APPROVED if accepted else EventType.REQUEST_OFFER_DECLINED,
        RequestEvent(request_id=request.id),
    )


def lapse(session: Session, now: datetime | None = None) -> int:
    """Close the offers nobody answered by their expiry as lapsed: each request becomes
    `offer_declined`, audited, with `request.offer_declined`. Run by the escalate step;
    skips rows another transaction holds (an answer being given), and closed offers are
    never read again, so a rerun does nothing twice. How many it closed."""
    now = now or utcnow()
    requests = session.scalars(
        select(CreditRequest)
        .join(Offer, Offer.request_id == CreditRequest.id)
        .where(
            Offer.outcome.is_(None),
            Offer.expires_at <= now,
            CreditRequest.status == RequestStatus.OFFER_MADE,
        )
        .order_by(Offer.expires_at)
        .with_for_update(of=CreditRequest, skip_locked=True)
    ).all()
    for request in requests:
        offer = for_request(session, request.id, lock=True)
        assert offer is not None  # joined above, and offers are never deleted
        _close(session, LAPSER, request, offer, "lapsed", now)
    return len(requests)


def offer_out(offer: Offer, request: CreditRequest) -> OfferOut:
    """The offer beside the terms asked for, both installments at the offer's rate."""
    return OfferOut(
        requested_amount=request.amount,
        requested_term_months=request.term_months,
        requested_installment=monthly_installment(
            request.amount, request.term_months, offer.annual_rate
        ),
        amount=offer.amount,
        term_months=offer.term_months,
        installment=offer.installment,
        annual_rate=offer.annual_rate,
        reason=offer.reason,
        reason_codes=[DecisionReason(**r) for r in offer.reason_codes],
        made_at=offer.made_at,
        expires_at=offer.expires_at,
        responded_at=offer.responded_at,
        outcome=offer.outcome,
    )


def counteroffer_terms(session: Session) -> CounterofferTerms:
    """What a final approver chooses a counteroffer's terms and reasons from, by the active
    policy."""
    in_force = policy.active(session).policy
    return CounterofferTerms(
        reference_annual_rate=in_force.reference_annual_rate,
        min_term_months=MIN_TERM_MONTHS,
        max_term_months=MAX_TERM_MONTHS,
        max_reasons=MAX_NOTICE_REASONS,
        decline_reasons=[DecisionReason(**r.model_dump()) for r in in_force.decline_reasons],
    )
