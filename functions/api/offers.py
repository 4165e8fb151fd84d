"""Counteroffers (`api` function): the applicant answers the final approver's offer of
other terms; final approvers read what an offer's terms and reasons are chosen from."""

import uuid

from shared.approvals import offers
from shared.approvals.schemas import CounterofferTerms
from shared.http.deps import CurrentUser, DbSession, TableRouter
from shared.http.errors import declared
from shared.messaging.outbox import state_change
from shared.tracking import requests as tracking
from shared.tracking.schemas import CreditRequestDetail

router = TableRouter()


@router.post(
    "/credit-requests/{request_id}/offer/accept",
    tags=["credit requests"],
    responses=declared(409),
)
def accept_offer(
    request_id: uuid.UUID, user: CurrentUser, session: DbSession
) -> CreditRequestDetail:
    """Accept the counteroffer on your own request: it is approved, on the offer's terms.
    409 `no_open_offer` when none awaits an answer, `offer_expired` after its deadline."""
    with state_change(session):
        request = offers.respond(session, user, request_id, accept=True)
        return tracking.request_detail(session, request, user)


@router.post(
    "/credit-requests/{request_id}/offer/decline",
    tags=["credit requests"],
    responses=declared(409),
)
def decline_offer(
    request_id: uuid.UUID, user: CurrentUser, session: DbSession
) -> CreditRequestDetail:
    """Decline the counteroffer on your own request: the request ends as `offer_declined`,
    and you are sent the notice of the reasons. 409 as for accepting."""
    with state_change(session):
        request = offers.respond(session, user, request_id, accept=False)
        return tracking.request_detail(session, request, user)


@router.get("/counteroffer-terms", tags=["approvals"])
def counteroffer_terms(session: DbSession) -> CounterofferTerms:
    """What a final approver chooses a counteroffer from, by the active credit policy: the
    term bounds, the reference rate of its installment, and the catalogue of reasons."""
    return offers.counteroffer_terms(session)
