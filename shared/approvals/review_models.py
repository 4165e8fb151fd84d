"""The table of human reviews of automatic declines (GDPR Art. 22(3)) and the window to ask
for one, which the decline's notice states too; the rules are in `shared.approvals.review`."""

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    func,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, Session, mapped_column

from shared.caching import Cached
from shared.credit.models import CreditRequest
from shared.db import Base
from shared.workflow.states import RequestStatus

REVIEW_WINDOW = timedelta(days=30)
"""How long after an automatic decline its applicant may ask for a human review."""


class DeclineReview(Base, Cached):
    """One applicant's request for a person to review their automatic decline: at most one
    per credit request. `original` is what the decline was based on (the inputs, the score
    result and the reasons), kept as it was when the review was asked for, so the reviewer
    and the audit see the decline itself even after corrected data is applied."""

    __tablename__ = "decline_reviews"
    __table_args__ = (
        CheckConstraint("outcome IN ('confirmed', 'overturned')", name="outcome"),
        CheckConstraint("char_length(statement) BETWEEN 1 AND 4000", name="statement_length"),
        # A reviewer's open reviews (their inbox section) and their load (the assignment).
        Index("ix_decline_reviews_reviewer_decided", "reviewer_id", "decided_at"),
        # The open reviews, which escalate looks through for those without an eligible reviewer.
        Index(
            "ix_decline_reviews_open",
            "requested_at",
            postgresql_where=text("decided_at IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    request_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("credit_requests.id"), unique=True)
    applicant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    statement: Mapped[str] = mapped_column(Text)
    # Corrected values of the application's financial fields; null when none were given.
    corrected_data: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    original: Mapped[dict[str, Any]] = mapped_column(JSONB)
    reviewer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str | None] = mapped_column(String(16))
    rationale: Mapped[str | None] = mapped_column(Text)

    def cache_scopes(self) -> list[str]:
        """Its request's page, the applicant's lists, and every staff list (inboxes)."""
        return [f"request:{self.request_id}", f"applicant:{self.applicant_id}", "staff"]


def window_closes_at(request: CreditRequest) -> datetime | None:
    """When the applicant's window to ask for a review of an automatic decline closes; None
    for a request not declined automatically (or declined before decisions were dated)."""
    if request.status != RequestStatus.AUTO_REJECTED or request.decided_at is None:
        return None
    return request.decided_at + REVIEW_WINDOW


def of_request(session: Session, request_id: uuid.UUID) -> DeclineReview | None:
    """The request's review, if one was asked for."""
    return session.scalar(select(DeclineReview).where(DeclineReview.request_id == request_id))
