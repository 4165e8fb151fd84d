"""Credit requests: submission, the automatic analysis, and who may see a request."""

import math
import uuid
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.audit.service import Actor, record, record_refusal
from shared.clock import utcnow
from shared.config import get_settings
from shared.credit import policy, telemetry
from shared.credit.bureau import get_bureau
from shared.credit.models import CreditRequest
from shared.credit.schemas import CreditRequestCreate, CreditRequestOut, ScoreResultOut
from shared.credit.scoring import Application, ScoreResult, evaluate
from shared.errors import Forbidden, NotFound, TooManyRequests
from shared.messaging.outbox import add_event
from shared.users.identity import Identity
from shared.users.models import User
from shared.workflow.events import EventType, RequestEvent
from shared.workflow.states import RequestStatus, Role, advance_request


def snapshot(request: CreditRequest) -> dict[str, object]:
    """What the audit trail records of a request's state before and after a change."""
    return {"status": request.status, "risk_tier": request.risk_tier}


SUBMISSION_WINDOW = timedelta(hours=1)


def _check_submission_rate(session: Session, applicant: Identity) -> None:
    """At most SUBMISSIONS_PER_HOUR requests per applicant in any hour (withdrawn ones count)."""
    # Serialise one applicant's submissions so two at once cannot both pass the count.
    # NO KEY UPDATE: other transactions may still insert rows that reference the user.
    session.execute(select(User.id).where(User.id == applicant.id).with_for_update(key_share=True))
    now = session.execute(select(func.now())).scalar_one()  # the clock of created_at
    recent = session.scalars(
        select(CreditRequest.created_at)
        .where(
            CreditRequest.applicant_id == applicant.id,
            CreditRequest.created_at > now - SUBMISSION_WINDOW,
        )
        .order_by(CreditRequest.created_at)
    ).all()
    limit = get_settings().submissions_per_hour
    if len(recent) < limit:
        return
    # The request whose leaving the window brings the count under the limit.
    frees_at = recent[len(recent) - limit] + SUBMISSION_WINDOW
    retry_after = max(1, math.ceil((frees_at - now).total_seconds()))
    record_refusal(
        session, Actor.of(applicant), "credit_request.rate_limited", "user", applicant.id, "rate"
    )
    raise TooManyRequests(
        f"You can file at most {limit} credit requests per hour. Try again later.",
        retry_after=retry_after,
        code="submission_rate_limited",
    )


def submit(session: Session, applicant: Identity, data: CreditRequestCreate) -> CreditRequest:
    """File a request (within the applicant's hourly limit, else 429), audited, with the
    `request.submitted` event in the same transaction; 403 `email_not_verified` until the
    applicant followed the link emailed to them (an unverified address is no one's yet)."""
    if not applicant.email_verified:
        raise Forbidden(
            "Confirm your email address before filing a credit request: follow the link we "
            "emailed you, or ask for a new one.",
            code="email_not_verified",
        )
    _check_submission_rate(session, applicant)
    request = CreditRequest(applicant_id=applicant.id, **data.model_dump())
    session.add(request)
    session.flush()
    record(
        session,
        Actor.of(applicant),
        "credit_request.created",
        "credit_request",
        request.id,
        after={**snapshot(request), "amount": str(request.amount)},
    )
    add_event(session, EventType.REQUEST_SUBMITTED, RequestEvent(request_id=request.id))
    telemetry.submitted(session, request)
    return request


def score(session: Session, request_id: uuid.UUID) -> CreditRequest | None:
    """The automatic analysis of a submitted request: declined with reasons, or sent to
    approval with a risk tier; the request, or None when it was no longer submitted."""
    request = session.get(CreditRequest, request_id, with_for_update=True)
    if request is None or request.status != RequestStatus.SUBMITTED:
        return None  # withdrawn before it was scored: nothing left to do
    before = snapshot(request)
    result = _analyse(session, request, before)
    event = (
        EventType.REQUEST_AUTO_REJECTED
        if result.outcome == RequestStatus.AUTO_REJECTED
        else EventType.REQUEST_PENDING_APPROVAL
    )
    telemetry.decided(session, request, result.outcome.value, level=None)
    add_event(session, event, RequestEvent(request_id=request.id))
    return request


def rescore(session: Session, request: CreditRequest) -> ScoreResult:
    """The automatic analysis again, with the policy in force, of a request whose financial
    fields the applicant amended while it awaited their answer (`info_requested`): its tier,
    reasons and stored result are replaced and the request moves to the outcome (declined,
    or pending approval again). The caller, who locked the request, emits the events and
    deals with the approval chain."""
    return _analyse(session, request, snapshot(request))


def _analyse(session: Session, request: CreditRequest, before: dict[str, object]) -> ScoreResult:
    report = get_bureau().fetch_report(request)
    in_force = policy.active(session)
    result = evaluate(
        in_force.policy,
        Application(
            request.amount, request.term_months, request.monthly_income, request.monthly_debt
        ),
        report,
    )
    advance_request(request, result.outcome)
    request.risk_tier = result.risk_tier.value if result.risk_tier else None
    request.decision_reasons = result.reasons
    request.score_result = {
        "installment": str(result.installment),
        "debt_to_income": None if result.debt_to_income is None else str(result.debt_to_income),
        "bureau_report": report.model_dump(),
        "policy_version": in_force.version,
        # When the bureau's score was obtained: the adverse action notice dates the score.
        "scored_at": utcnow().isoformat(),
    }
    request.policy_version = in_force.version
    if result.outcome == RequestStatus.AUTO_REJECTED:
        request.decided_at = utcnow()
    record(
        session,
        Actor.system("score"),
        "credit_request.scored",
        "credit_request",
        request.id,
        before=before,
        after={
            **snapshot(request),
            "reasons": [r["code"] for r in result.reasons],
            "policy_version": in_force.version,
        },
    )
    return result


def visible_request(
    session: Session, viewer: Identity, request_id: uuid.UUID, *, lock: bool = False
) -> CreditRequest:
    """The request if the viewer may see it. Applicants see only their own, and another's
    request answers exactly like a missing one (404), so its existence is not revealed."""
    request = session.get(CreditRequest, request_id, with_for_update=lock)
    if request is None or (viewer.role == Role.APPLICANT and request.applicant_id != viewer.id):
        raise NotFound("No such credit request.")
    return request


def to_out(request: CreditRequest, *, risk_tier: bool = True) -> CreditRequestOut:
    """The request as the API shows it; without its risk tier unless `risk_tier`."""
    out = CreditRequestOut.model_validate(request, from_attributes=True)
    return out if risk_tier else out.model_copy(update={"risk_tier": None})


def shows_risk_tier(session: Session, viewer: Identity, *, cached: bool = False) -> bool:
    """Whether the viewer sees risk tiers: staff always; an applicant only when the policy in
    force marks the tier shown (it is an internal grading, hidden by default). `cached`: for
    an answer the read cache stores under the policy's version, which must be that version's,
    so the policy is read fresh rather than as this process last checked it."""
    if viewer.role != Role.APPLICANT:
        return True
    return policy.active(session, fresh=cached).policy.risk_tier_for_applicants == "shown"


def out_for(
    session: Session, viewer: Identity, request: CreditRequest, *, cached: bool = False
) -> CreditRequestOut:
    """The request as `viewer` may see it (see `shows_risk_tier`)."""
    return to_out(request, risk_tier=shows_risk_tier(session, viewer, cached=cached))


def score_result_out(request: CreditRequest, *, with_bureau: bool) -> ScoreResultOut | None:
    """The stored analysis. The bureau report is the bureau's data, licensed to the lender
    for the decision, so only the people deciding see it; the installment and ratio are
    computed from what the applicant declared, so the applicant sees those too."""
    if request.score_result is None:
        return None
    result = ScoreResultOut.model_validate(request.score_result)
    return result if with_bureau else result.model_copy(update={"bureau_report": None})
