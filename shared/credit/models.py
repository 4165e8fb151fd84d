import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from shared.caching import Cached
from shared.db import Base
from shared.workflow.states import TIMED_ROLES, PolicyStatus, RequestStatus

MONEY = Numeric(14, 2)


class CreditRequest(Base, Cached):
    __tablename__ = "credit_requests"
    __table_args__ = (
        Index("ix_credit_requests_created", "created_at", "id"),
        Index("ix_credit_requests_amount", "amount", "id"),
        Index("ix_credit_requests_applicant_created", "applicant_id", "created_at", "id"),
        Index("ix_credit_requests_status_created", "status", "created_at", "id"),
        # The amount sorts under an applicant or a status filter (migration 9d3e5a7c1b20).
        Index("ix_credit_requests_applicant_amount", "applicant_id", "amount", "id"),
        Index("ix_credit_requests_status_amount", "status", "amount", "id"),
        # The `stage_role` filter under either sort (migration 14a2c4e6f8b1).
        *(
            Index(
                f"ix_credit_requests_timed_{role}_{sort}",
                sort,
                "id",
                postgresql_where=text(f"timed_{role}"),
            )
            for role in TIMED_ROLES
            for sort in ("created_at", "amount")
        ),
        # The `assigned_to=me` filter under either sort (migration 14b3d6e8f0a2).
        *(
            Index(
                f"ix_credit_requests_pending_assignee_{sort}",
                "pending_assignee_id",
                sort,
                "id",
                postgresql_where=text("pending_assignee_id IS NOT NULL"),
            )
            for sort in ("created_at", "amount")
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    applicant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    term_months: Mapped[int] = mapped_column(Integer)
    purpose: Mapped[str] = mapped_column(String(500))
    monthly_income: Mapped[Decimal] = mapped_column(MONEY)
    monthly_debt: Mapped[Decimal] = mapped_column(MONEY)
    employment_status: Mapped[str] = mapped_column(String(32))
    # The bureau's figures: null once the retention job removed the bureau report.
    credit_score: Mapped[int | None] = mapped_column(Integer)
    delinquencies_24m: Mapped[int | None] = mapped_column(Integer)
    bankruptcies_7y: Mapped[int | None] = mapped_column(Integer)

    status: Mapped[str] = mapped_column(String(32), default=RequestStatus.SUBMITTED.value)
    risk_tier: Mapped[str | None] = mapped_column(String(16))
    decision_reasons: Mapped[list[dict[str, str]]] = mapped_column(JSONB, default=list)
    score_result: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    # The policy version that scored it (and, for a decline, declined it); null before versions.
    policy_version: Mapped[int | None] = mapped_column(Integer)

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When the retention job removed its personal data (shared.retention).
    anonymised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Whether a stage of the role was assigned and decided: kept by a trigger on its stages
    # (migration 14a2c4e6f8b1), never written here; read by the `stage_role` filter.
    timed_analyst: Mapped[bool] = mapped_column(Boolean, server_default=false())
    timed_manager: Mapped[bool] = mapped_column(Boolean, server_default=false())
    timed_director: Mapped[bool] = mapped_column(Boolean, server_default=false())
    timed_admin: Mapped[bool] = mapped_column(Boolean, server_default=false())
    # The assignee of its pending stage (none pending, or not yet assigned: null): kept by a
    # trigger on its stages (migration 14b3d6e8f0a2), never written here; read by the
    # `assigned_to=me` filter.
    pending_assignee_id: Mapped[uuid.UUID | None] = mapped_column()

    def cache_scopes(self) -> list[str]:
        """Its page, its applicant's lists, and every staff list and statistic."""
        return [f"request:{self.id}", f"applicant:{self.applicant_id}", "staff"]


class Policy(Base):
    """One version of a policy document (scoring rules, risk tiers, approval chains, SLA).

    Its life cycle (`PolicyStatus`): a draft is edited, then proposed with a reason (from
    then on the document is frozen: a trigger refuses any change to it), approved by someone
    else, activated now or from `active_from`, and retired when a later version takes over.
    A partial unique index keeps exactly one version active per policy name."""

    __tablename__ = "policies"
    __table_args__ = (
        UniqueConstraint("name", "version"),
        Index(
            "uq_policies_one_active",
            "name",
            unique=True,
            postgresql_where=text("status = 'active'"),
        ),
        CheckConstraint(
            "status IN ('draft', 'proposed', 'approved', 'active', 'retired')", name="status"
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=PolicyStatus.DRAFT.value)
    document: Mapped[dict[str, Any]] = mapped_column(JSONB)
    reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    proposed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    approved_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    activated_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    activated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    active_from: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The latest simulation run on exactly this document (approval requires one).
    simulation: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    simulated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
