"""Adverse action notices: what an applicant is told when credit is refused (an automatic or
a human decline), when a counteroffer they did not accept ends the request, or when the
request is closed as incomplete (Reg B 12 CFR 1002.9, FCRA 615(a), Dodd-Frank 1100F).

A notice states the action, up to four principal reasons in the policy's plain language (never
"internal standards" or "insufficient score": governance refuses such wording), the credit
bureau whose score was used (name, address, phone, website, and that it did not decide), the
score with its range, its key factors and its date, the right to a free report within 60 days
and to dispute it, and the ECOA notice. It is built once, in the notify step's transaction
that claims the event, stored (`AdverseActionNotice`), emailed, and shown again unchanged on
the request's notice page. `overdue` counts final adverse decisions left without a sent notice
(the `AdverseActionNoticeOverdue` alert).
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from shared.approvals import offers
from shared.audit.service import Actor, record
from shared.caching import touch
from shared.clock import utcnow
from shared.credit import policy, scoring
from shared.credit.bureau import SCORE_RANGE, BureauContact, bureau_contact
from shared.credit.models import CreditRequest
from shared.credit.policy import CreditPolicy, Metric
from shared.notifications.notice_models import AdverseActionNotice
from shared.notifications.schemas import AdverseActionNoticeOut
from shared.workflow.states import ADVERSE_ACTION_STATES, RequestStatus

MAX_REASONS = 4
"""Reg B's sample forms give at most four principal reasons: more would not be meaningful."""
OVERDUE_AFTER = timedelta(days=25)
"""Reg B allows 30 days; the alert leaves five to send a notice some other way."""
NOTIFIER = Actor.system("notify")

INCOMPLETE_REASON = "INCOMPLETE_APPLICATION"
OFFER_FALLBACK_REASON = "AMOUNT_TOO_HIGH"

ACTIONS = {
    RequestStatus.AUTO_REJECTED.value: "Your application for credit was declined.",
    RequestStatus.REJECTED.value: "Your application for credit was declined.",
    RequestStatus.INCOMPLETE.value: "Your application for credit was closed as incomplete.",
    RequestStatus.OFFER_DECLINED.value: (
        "We could not give you credit on the terms you asked for, and you did not accept the "
        "terms we offered instead."
    ),
}
"""The action taken, as the notice states it (1002.9(a)(2))."""

HEADINGS = {
    RequestStatus.AUTO_REJECTED.value: "Your credit request was declined",
    RequestStatus.REJECTED.value: "Your credit request was declined",
    RequestStatus.INCOMPLETE.value: "Your credit request was closed as incomplete",
    RequestStatus.OFFER_DECLINED.value: "Your credit request was closed without credit",
}
"""The notice's title per action (the email's heading and subject)."""

ECOA_NOTICE = (
    "The Federal Equal Credit Opportunity Act prohibits creditors from discriminating against "
    "credit applicants on the basis of race, color, religion, national origin, sex, marital "
    "status, age (provided the applicant has the capacity to enter into a binding contract); "
    "because all or part of the applicant's income derives from any public assistance "
    "program; or because the applicant has in good faith exercised any right under the "
    "Consumer Credit Protection Act. The Federal agency that administers compliance with this "
    "law concerning this creditor is the Consumer Financial Protection Bureau, 1700 G Street "
    "NW, Washington, DC 20552."
)
"""The 1002.9(b)(1) statement, naming the agency as the sample notice (form C-1) does."""

BUREAU_DID_NOT_DECIDE = (
    "The consumer reporting agency played no part in our decision and is unable to supply "
    "specific reasons why we have denied credit to you."
)
FREE_REPORT_RIGHT = (
    "You have a right under the Fair Credit Reporting Act to know the information contained in "
    "your credit file at the consumer reporting agency. You have a right to a free copy of your "
    "report from the reporting agency, if you request it no later than 60 days after you "
    "receive this notice."
)
DISPUTE_RIGHT = (
    "If you find that any information contained in the report you receive is inaccurate or "
    "incomplete, you have the right to dispute the matter with the reporting agency."
)
SCORE_STATEMENT = (
    "We also obtained your credit score from this consumer reporting agency and used it in "
    "making our credit decision. Your credit score is a number that reflects the information "
    "in your consumer report. Your credit score can change, depending on how the information "
    "in your consumer report changes."
)

STATEMENTS = {
    "bureau_did_not_decide": BUREAU_DID_NOT_DECIDE,
    "free_report": FREE_REPORT_RIGHT,
    "dispute": DISPUTE_RIGHT,
    "score": SCORE_STATEMENT,
    "ecoa": ECOA_NOTICE,
}
"""The fixed statements every notice carries, one home for the email and the page."""

# The catalogue's codes that speak of a metric the score step measured: their key factor.
_CATALOGUE_METRICS: dict[str, Metric] = {
    "INCOME_INSUFFICIENT": "monthly_income",
    "EXCESSIVE_OBLIGATIONS": "debt_to_income",
    "DELINQUENT_OBLIGATIONS": "delinquencies_24m",
    "LIMITED_CREDIT_HISTORY": "credit_score",
    "BANKRUPTCY": "bankruptcies_7y",
    "AMOUNT_TOO_HIGH": "debt_to_income",
}


@dataclass(frozen=True)
class Scored:
    """What the score step recorded that the notice's score block reads."""

    value: int
    delinquencies_24m: int
    bankruptcies_7y: int
    debt_to_income: Decimal | None
    monthly_income: Decimal
    scored_at: datetime


def scored(request: CreditRequest) -> Scored | None:
    """The bureau score the decision used and when it was obtained; None if never scored."""
    result = request.score_result
    if not result or not result.get("bureau_report"):
        return None
    report = result["bureau_report"]
    dti = result.get("debt_to_income")
    # Requests scored before the date was kept were scored right after submission.
    at = result.get("scored_at")
    return Scored(
        value=int(report["credit_score"]),
        delinquencies_24m=int(report["delinquencies_24m"]),
        bankruptcies_7y=int(report["bankruptcies_7y"]),
        debt_to_income=None if dti is None else Decimal(dti),
        monthly_income=request.monthly_income,
        scored_at=datetime.fromisoformat(at) if at else request.created_at,
    )


def _factor(metric: Metric, facts: Scored, rules: CreditPolicy) -> str | None:
    match metric:
        case "credit_score":
            low, high = SCORE_RANGE
            return f"A credit score of {facts.value}, in the range {low} to {high}."
        case "delinquencies_24m":
            if facts.delinquencies_24m == 0:
                return None
            return f"{facts.delinquencies_24m} late payment(s) in the last 24 months."
        case "bankruptcies_7y":
            if facts.bankruptcies_7y == 0:
                return None
            return f"{facts.bankruptcies_7y} bankruptcy filing(s) in the last 7 years."
        case "debt_to_income":
            if facts.debt_to_income is None:
                return "No income was declared to repay debts from."
            # As the reason on the same notice shows it (the scoring version's limits).
            percent = scoring.as_percent(facts.debt_to_income, scoring.dti_limits(rules))
            return f"Debt payments, the new one included, of {percent} of income."
        case "monthly_income":
            if facts.monthly_income <= 0:
                return "No income was declared."
            return "The income declared, compared with the amount asked for."
    return None


def key_factors(reasons: list[dict[str, str]], facts: Scored, rules: CreditPolicy) -> list[str]:
    """The score's key factors, most important first (at most four): the metrics behind the
    reasons, then the bureau's adverse records (late payments, bankruptcies), else the score."""
    metrics: list[Metric] = []
    rule_metrics = {rule.code: rule.metric for rule in rules.rejection_rules}
    for reason in reasons:
        metric = rule_metrics.get(reason["code"]) or _CATALOGUE_METRICS.get(reason["code"])
        if metric is not None:
            metrics.append(metric)
    metrics += ["delinquencies_24m", "bankruptcies_7y", "credit_score"]
    factors: list[str] = []
    for metric in dict.fromkeys(metrics):  # in order, once each
        factor = _factor(metric, facts, rules)
        if factor is not None:
            factors.append(factor)
    return factors[:MAX_REASONS]


def score_block(
    reasons: list[dict[str, str]], facts: Scored | None, rules: CreditPolicy
) -> dict[str, Any] | None:
    """The notice's score disclosure (FCRA 615(a), Dodd-Frank): the score, its range, its key
    factors and its date; None when no score was used."""
    if facts is None:
        return None
    return {
        "value": facts.value,
        "range": list(SCORE_RANGE),
        "factors": key_factors(reasons, facts, rules),
        "date": facts.scored_at.isoformat(),
    }


def from_catalogue(rules: CreditPolicy, codes: list[str]) -> list[dict[str, str]]:
    """The catalogue's {code, message} for each known code, in the order given, at most four."""
    found = [rules.decline_reason(code) for code in codes]
    return [{"code": r.code, "message": r.message} for r in found if r is not None][:MAX_REASONS]


def offer_reasons(
    session: Session, request: CreditRequest, rules: CreditPolicy
) -> list[dict[str, str]]:
    """The principal reasons of the counteroffer the applicant did not accept, in the words
    the offer gave them; the catalogue's AMOUNT_TOO_HIGH for an offer that recorded none."""
    offer = offers.for_request(session, request.id)
    if offer is not None and offer.reason_codes:
        return list(offer.reason_codes)[:MAX_REASONS]
    return from_catalogue(rules, [OFFER_FALLBACK_REASON])


def reasons_for(
    session: Session, request: CreditRequest, rules: CreditPolicy
) -> list[dict[str, str]]:
    """The principal reasons for the request's adverse status, at most four."""
    match request.status:
        case RequestStatus.AUTO_REJECTED | RequestStatus.REJECTED:
            # The score step's ranked reasons, or the catalogue's that the approver chose.
            return list(request.decision_reasons or [])[:MAX_REASONS]
        case RequestStatus.INCOMPLETE:
            return from_catalogue(rules, [INCOMPLETE_REASON])
        case RequestStatus.OFFER_DECLINED:
            return offer_reasons(session, request, rules)
    return []


def build(
    session: Session,
    request: CreditRequest,
    contact: BureauContact,
    comment: str | None = None,
) -> AdverseActionNotice:
    """The notice for the request's current adverse status (not yet stored)."""
    assert request.status in ADVERSE_ACTION_STATES, request.status
    rules = policy.load(session)
    reasons = reasons_for(session, request, rules)
    scoring_rules = policy.at_version(session, request.policy_version)
    return AdverseActionNotice(
        id=uuid.uuid4(),
        request_id=request.id,
        applicant_id=request.applicant_id,
        action=request.status,
        decided_at=request.decided_at,
        reasons=reasons,
        score=score_block(reasons, scored(request), scoring_rules),
        bureau=contact.model_dump(),
        comment=comment,
    )


def ensure(
    session: Session, request: CreditRequest, comment: str | None = None
) -> AdverseActionNotice:
    """The request's notice for its current adverse decision: created (and audited) the first
    time, the stored one after (one per decision, whatever is delivered twice)."""
    notice = build(session, request, bureau_contact(), comment)
    values = {c.key: getattr(notice, c.key) for c in AdverseActionNotice.__table__.columns}
    values = {k: v for k, v in values.items() if v is not None}
    created = session.execute(
        insert(AdverseActionNotice)
        .values(**values)
        .on_conflict_do_nothing(constraint="uq_adverse_action_notices_decision")
        .returning(AdverseActionNotice.id)
    ).scalar()
    stored = session.scalars(
        select(AdverseActionNotice)
        .where(
            AdverseActionNotice.request_id == request.id,
            AdverseActionNotice.action == request.status,
            AdverseActionNotice.decided_at == request.decided_at,
        )
        .with_for_update()
    ).one()
    if created is not None:
        touch(session, *stored.cache_scopes())  # a core INSERT: the ORM's hook did not see it
        record(
            session,
            NOTIFIER,
            "notice.created",
            "credit_request",
            request.id,
            details={
                "notice_id": str(stored.id),
                "action": stored.action,
                "reasons": [r["code"] for r in stored.reasons],
            },
        )
    return stored


def mark_sent(session: Session, notice_id: uuid.UUID) -> None:
    """Record that the notice went out (by email), in the audit trail too."""
    notice = session.get(AdverseActionNotice, notice_id, with_for_update=True)
    assert notice is not None  # created in this very transaction, or before it
    notice.sent_at = utcnow()
    record(
        session,
        NOTIFIER,
        "notice.sent",
        "credit_request",
        notice.request_id,
        details={"notice_id": str(notice.id), "action": notice.action, "channel": "email"},
    )


def for_request(session: Session, request_id: uuid.UUID) -> AdverseActionNotice | None:
    """The request's latest notice, if it has one."""
    return session.scalars(
        select(AdverseActionNotice)
        .where(AdverseActionNotice.request_id == request_id)
        .order_by(AdverseActionNotice.created_at.desc())
        .limit(1)
    ).first()


def overdue(session: Session, now: datetime | None = None) -> int:
    """Final adverse decisions older than 25 days whose applicant has no sent notice."""
    cutoff = (now or utcnow()) - OVERDUE_AFTER
    sent = (
        select(AdverseActionNotice.id)
        .where(
            and_(
                AdverseActionNotice.request_id == CreditRequest.id,
                AdverseActionNotice.action == CreditRequest.status,
                AdverseActionNotice.decided_at == CreditRequest.decided_at,
                AdverseActionNotice.sent_at.is_not(None),
            )
        )
        .exists()
    )
    count = session.scalar(
        select(func.count())
        .select_from(CreditRequest)
        .where(
            CreditRequest.status.in_([s.value for s in ADVERSE_ACTION_STATES]),
            CreditRequest.decided_at < cutoff,
            ~sent,
        )
    )
    return int(count or 0)


def email_context(notice: AdverseActionNotice) -> dict[str, Any]:
    """What the notice's email template shows: the stored notice, dates as datetimes."""
    score = None
    if notice.score is not None:
        score = {**notice.score, "date": datetime.fromisoformat(notice.score["date"])}
    return {
        "heading": HEADINGS[notice.action],
        "action_text": ACTIONS[notice.action],
        "reasons": [reason["message"] for reason in notice.reasons],
        "score": score,
        "bureau": notice.bureau,
        "comment": notice.comment,
        "statements": STATEMENTS,
    }


def to_out(notice: AdverseActionNotice) -> AdverseActionNoticeOut:
    """The stored notice as the API shows it, its fixed statements included."""
    score = notice.score
    return AdverseActionNoticeOut.model_validate(
        {
            "id": notice.id,
            "request_id": notice.request_id,
            "action": notice.action,
            "heading": HEADINGS[notice.action],
            "action_text": ACTIONS[notice.action],
            "reasons": notice.reasons,
            "score": None
            if score is None
            else {
                "value": score["value"],
                "range_low": score["range"][0],
                "range_high": score["range"][1],
                "factors": score["factors"],
                "date": score["date"],
            },
            "bureau": notice.bureau,
            "comment": notice.comment,
            "statements": STATEMENTS,
            "created_at": notice.created_at,
            "sent_at": notice.sent_at,
        }
    )
