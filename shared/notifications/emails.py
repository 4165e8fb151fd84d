"""The emails the workflow sends: pure functions from domain objects to subject and body."""

from dataclasses import dataclass

from shared.config import get_settings
from shared.credit.models import CreditRequest


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str


def _ref(request: CreditRequest) -> str:
    return str(request.id)[:8]


def _request_url(request: CreditRequest) -> str:
    return f"{get_settings().public_url}/requests/{request.id}"


def submitted(to: str, request: CreditRequest) -> Email:
    return Email(
        to,
        f"We received your credit request {_ref(request)}",
        f"Your request for {request.amount:,.2f} over {request.term_months} months was received "
        f"and is being analysed.\n\nFollow it here: {_request_url(request)}\n",
    )


def auto_rejected(to: str, request: CreditRequest) -> Email:
    reasons = "\n".join(f"- {r['message']} ({r['code']})" for r in request.decision_reasons)
    return Email(
        to,
        f"Your credit request {_ref(request)} was declined",
        f"Your request for {request.amount:,.2f} was declined by our automatic analysis "
        f"for these reasons:\n\n{reasons}\n\nDetails: {_request_url(request)}\n",
    )


def final_decision(to: str, request: CreditRequest) -> Email:
    return Email(
        to,
        f"Your credit request {_ref(request)} was {request.status}",
        f"Your request for {request.amount:,.2f} was {request.status}.\n\n"
        f"Details: {_request_url(request)}\n",
    )


def stage_assigned(to: str, request: CreditRequest, level: int, link_url: str) -> Email:
    return Email(
        to,
        f"Approval needed: credit request {_ref(request)} (stage {level})",
        f"A credit request for {request.amount:,.2f} (risk tier {request.risk_tier}) awaits "
        f"your decision at stage {level}.\n\nReview and decide: {link_url}\n\n"
        "The link is personal, works once, and expires.\n",
    )


def stage_reminder(to: str, request: CreditRequest, level: int) -> Email:
    return Email(
        to,
        f"Reminder: credit request {_ref(request)} is past its due time",
        f"Stage {level} of credit request {_ref(request)} is overdue. "
        f"Please decide it from your inbox: {get_settings().public_url}/inbox\n",
    )
