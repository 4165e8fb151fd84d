"""The adverse action notices table, apart from `models` so the deliver_webhook step, which
maps notification preferences, does not load the credit requests this one points at."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, String, UniqueConstraint, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from shared.caching import Cached
from shared.credit.models import CreditRequest
from shared.db import Base
from shared.users.models import User


class AdverseActionNotice(Base, Cached):
    """The adverse action notice an applicant got (Reg B 1002.9, FCRA 615(a)): one per adverse
    decision (the request's status and when it was decided: a request declined twice gets
    two), written by the notify step in the transaction that claims the event, and kept as
    sent so it can be shown again unchanged."""

    __tablename__ = "adverse_action_notices"
    __table_args__ = (
        UniqueConstraint(
            "request_id", "action", "decided_at", name="uq_adverse_action_notices_decision"
        ),
        # The overdue check looks for decisions without a sent notice.
        Index(
            "ix_adverse_action_notices_unsent",
            "request_id",
            postgresql_where=text("sent_at IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    request_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(CreditRequest.id, ondelete="CASCADE"))
    applicant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(User.id))
    action: Mapped[str] = mapped_column(String(32))  # the request's status: auto_rejected, ...
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # the request's, then
    reasons: Mapped[list[dict[str, str]]] = mapped_column(JSONB)  # 1 to 4 {code, message}
    # {value, range: [300, 850], factors: [...], date} or null when no score was used.
    score: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    bureau: Mapped[dict[str, str]] = mapped_column(JSONB)  # name, address, phone, website
    # The rejecting approver's comment, where the policy shares it (human rejections only).
    comment: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    def cache_scopes(self) -> list[str]:
        """The request's page, which links to it."""
        return [f"request:{self.request_id}", f"applicant:{self.applicant_id}"]
