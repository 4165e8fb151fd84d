import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, Integer, Numeric, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from shared.caching import Cached
from shared.db import Base
from shared.workflow.states import RequestStatus

MONEY = Numeric(14, 2)


class CreditRequest(Base, Cached):
    __tablename__ = "credit_requests"
    __table_args__ = (
        Index("ix_credit_requests_created", "created_at", "id"),
        Index("ix_credit_requests_amount", "amount", "id"),
        Index("ix_credit_requests_applicant_created", "applicant_id", "created_at", "id"),
        Index("ix_credit_requests_status_created", "status", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    applicant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    term_months: Mapped[int] = mapped_column(Integer)
    purpose: Mapped[str] = mapped_column(String(500))
    monthly_income: Mapped[Decimal] = mapped_column(MONEY)
    monthly_debt: Mapped[Decimal] = mapped_column(MONEY)
    employment_status: Mapped[str] = mapped_column(String(32))
    credit_score: Mapped[int] = mapped_column(Integer)
    delinquencies_24m: Mapped[int] = mapped_column(Integer)
    bankruptcies_7y: Mapped[int] = mapped_column(Integer)

    status: Mapped[str] = mapped_column(String(32), default=RequestStatus.SUBMITTED.value)
    risk_tier: Mapped[str | None] = mapped_column(String(16))
    decision_reasons: Mapped[list[dict[str, str]]] = mapped_column(JSONB, default=list)
    score_result: Mapped[dict[str, Any] | None] = mapped_column(JSONB)

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    def cache_scopes(self) -> list[str]:
        """Its page, its applicant's lists, and every staff list and statistic."""
        return [f"request:{self.id}", f"applicant:{self.applicant_id}", "staff"]


class Policy(Base):
    """A versioned policy document (scoring rules, approval chain). Data, so admins can edit it."""

    __tablename__ = "policies"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    document: Mapped[dict[str, Any]] = mapped_column(JSONB)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
