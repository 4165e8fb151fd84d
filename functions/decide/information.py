"""Request more information (the decide step's routes for it): the current approver asks,
from the app or from their emailed link; the applicant answers, possibly amending the
request; both sides read the rounds on the request page."""

import uuid

from fastapi import Request, Response

from functions.decide.routes import LinkToken
from shared.approvals import information, links
from shared.approvals.schemas import (
    InformationAnswer,
    InformationQuestions,
    InformationRequestOut,
    InformationRequests,
)
from shared.caching import CacheKey
from shared.credit import service as credit
from shared.credit.schemas import CreditRequestOut
from shared.http.caching import NOT_MODIFIED, cached_json
from shared.http.deps import CurrentUser, DbSession, TableRouter
from shared.http.errors import declared
from shared.messaging.outbox import state_change
from shared.users.identity import Identity

router = TableRouter()


@router.get(
    "/credit-requests/{request_id}/information-requests",
    tags=["approvals"],
    response_model=InformationRequests,
    responses=NOT_MODIFIED,
)
def list_information_requests(
    request_id: uuid.UUID, user: CurrentUser, session: DbSession, request: Request
) -> Response:
    """The request's rounds of questions and answers, oldest first (the applicant sees the
    asker by first name only). Someone else's request answers 404."""

    def rounds() -> InformationRequests:
        credit.visible_request(session, user, request_id)
        return InformationRequests(information.rounds_for(session, user, request_id))

    key = f"{user.id}|{user.role}|{request_id}"
    at = CacheKey("information_requests", (f"request:{request_id}",), key)
    return cached_json(request, at, rounds)


@router.post(
    "/credit-requests/{request_id}/information-requests",
    status_code=201,
    tags=["approvals"],
    responses=declared(409),
)
def ask(
    request_id: uuid.UUID, body: InformationQuestions, approver: CurrentUser, session: DbSession
) -> InformationRequestOut:
    """Return the request to the applicant with questions, as the current stage's assignee
    (403 otherwise, as for a decision): it waits for their answer, the stage's SLA paused, for
    at most 30 days. 409 `invalid_transition` unless it is pending approval."""
    with state_change(session):
        credit.visible_request(session, approver, request_id)
        asked = information.ask(session, approver, request_id, body, via="app")
        return _round(session, approver, request_id, asked.id)


@router.post(
    "/credit-requests/{request_id}/information-answer",
    tags=["credit requests"],
    responses=declared(409),
)
def answer(
    request_id: uuid.UUID, body: InformationAnswer, applicant: CurrentUser, session: DbSession
) -> CreditRequestOut:
    """Answer the approver's questions, as the request's applicant, possibly amending its
    financial fields (validated as on submission). An amended request is scored again.
    409 `invalid_transition` unless the request awaits an answer."""
    with state_change(session):
        answered = information.answer(session, applicant, request_id, body)
        return credit.out_for(session, applicant, answered.request)


@router.post(
    "/approval-links/{token}/information-request",
    status_code=201,
    tags=["approvals"],
    responses=declared(409, 410),
)
def ask_by_link(
    token: LinkToken, body: InformationQuestions, session: DbSession
) -> InformationRequestOut:
    """Ask for more information from the emailed link, as its approver (the link is the
    credential, spent by asking)."""
    with state_change(session):
        resolved = links.resolve(session, token, lock=True)
        approver = Identity.of(resolved.approver)
        asked = information.ask(
            session,
            approver,
            resolved.request.id,
            body,
            via="email_link",
            link=resolved.link,
        )
        return _round(session, approver, resolved.request.id, asked.id)


def _round(
    session: DbSession, viewer: Identity, request_id: uuid.UUID, round_id: uuid.UUID
) -> InformationRequestOut:
    return next(r for r in information.rounds_for(session, viewer, request_id) if r.id == round_id)
