"""Ending an open "more information" round when its request ends another way (rejected by
the approver, withdrawn): below `shared.approvals.service`, which calls it, and the
`information` module, which builds on the service."""

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.approvals.models import InformationRequest
from shared.approvals.schemas import InformationOutcome


def open_round(session: Session, request_id: uuid.UUID) -> InformationRequest | None:
    """The request's open round (at most one), locked."""
    return session.scalars(
        select(InformationRequest)
        .where(InformationRequest.request_id == request_id, InformationRequest.closed_at.is_(None))
        .with_for_update()
    ).first()


def close_open(
    session: Session, request_id: uuid.UUID, outcome: InformationOutcome, at: datetime | None
) -> InformationRequest | None:
    """Close the request's open round, if any, with `outcome`."""
    found = open_round(session, request_id)
    if found is not None:
        found.outcome, found.closed_at = outcome, at
    return found
