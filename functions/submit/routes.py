"""The submit step: an applicant files a credit request; scoring follows through the queue."""

from typing import Annotated

from fastapi import APIRouter, Depends, status

from shared.credit import service as credit
from shared.credit.schemas import CreditRequestCreate, CreditRequestOut
from shared.db import unit_of_work
from shared.http.deps import require_roles
from shared.http.errors import RATE_LIMITED
from shared.http.openapi import CREATED_CREDIT_REQUEST
from shared.messaging.outbox import relay_after_commit
from shared.users.models import User
from shared.workflow.states import Role

router = APIRouter()


@router.post(
    "/credit-requests",
    status_code=status.HTTP_202_ACCEPTED,
    tags=["credit requests"],
    responses={**RATE_LIMITED, 202: CREATED_CREDIT_REQUEST},
)
def submit_credit_request(
    body: CreditRequestCreate, applicant: Annotated[User, Depends(require_roles(Role.APPLICANT))]
) -> CreditRequestOut:
    """File a credit request; at most SUBMISSIONS_PER_HOUR per applicant per hour (429)."""
    with unit_of_work() as session:
        out = credit.to_out(credit.submit(session, applicant, body))
    relay_after_commit()
    return out
