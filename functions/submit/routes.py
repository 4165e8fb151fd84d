"""The submit step: an applicant files a credit request; scoring follows through the queue."""

from fastapi import status

from shared.credit import service as credit
from shared.credit.schemas import CreditRequestCreate, CreditRequestOut
from shared.http.deps import CurrentUser, DbSession, TableRouter
from shared.http.errors import RATE_LIMITED
from shared.http.openapi import CREATED_CREDIT_REQUEST
from shared.messaging.outbox import state_change

router = TableRouter()


@router.post(
    "/credit-requests",
    status_code=status.HTTP_202_ACCEPTED,
    tags=["credit requests"],
    responses={**RATE_LIMITED, 202: CREATED_CREDIT_REQUEST},
)
def submit_credit_request(
    body: CreditRequestCreate, applicant: CurrentUser, session: DbSession
) -> CreditRequestOut:
    """File a credit request; at most SUBMISSIONS_PER_HOUR per applicant per hour (429)."""
    with state_change(session):
        return credit.out_for(session, applicant, credit.submit(session, applicant, body))
