import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.caching import Cached
from shared.db import Base
from shared.users.models import User
from shared.workflow.states import StageStatus


class ApprovalStage(Base, Cached):
    __tablename__ = "approval_stages"
    __table_args__ = (
        # A request amended so that its chain changed gets a new chain (`round` + 1) from level 1;
        # the earlier round's stages stay, cancelled or approved, as its history.
        UniqueConstraint("request_id", "round", "level"),
        # The inbox's order (pending_for), and an approver's load (its prefix).
        Index("ix_approval_stages_assignee_status_due", "assignee_id", "status", "due_at", "id"),
        Index("ix_approval_stages_status_due", "status", "due_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    request_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("credit_requests.id"), index=True)
    level: Mapped[int] = mapped_column(Integer)
    round: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    role: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=StageStatus.WAITING.value)
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    comment: Mapped[str | None] = mapped_column(Text)
    decided_via: Mapped[str | None] = mapped_column(String(16))  # DecidedVia: app, email_link
    # The policy version whose chain (roles, SLA) made this stage; null before versions.
    policy_version: Mapped[int | None] = mapped_column(Integer)
    # Whose stage it is while its assignee holds it for them (their absence: `delegation`);
    # kept once decided, so the decision reads "decided_by on behalf of on_behalf_of".
    on_behalf_of: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    # Loaded only when read, and only for a stage held for someone (the chain, the inbox).
    on_behalf_of_user: Mapped[User | None] = relationship(
        foreign_keys=[on_behalf_of], lazy="select", viewonly=True
    )

    def cache_scopes(self) -> list[str]:
        """Its request's page, and every staff list (inboxes included) and statistic."""
        return [f"request:{self.request_id}", "staff"]


class ApprovalLink(Base):
    """An emailed decision link. The token itself is never stored: only its id (the JWT `jti`)."""

    __tablename__ = "approval_links"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    stage_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("approval_stages.id"), index=True)
    approver_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The stage left this link's holding (see `links.revoke_for`): never current again.
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class InformationRequest(Base, Cached):
    """One round of "request more information": the current approver's questions, the
    applicant's answer and what it amended, and how the round ended (`outcome`)."""

    __tablename__ = "information_requests"
    __table_args__ = (
        # At most one open round per request.
        Index(
            "uq_information_requests_open",
            "request_id",
            unique=True,
            postgresql_where=text("closed_at IS NULL"),
        ),
        # What the escalate step closes as incomplete: open rounds past their due time.
        Index(
            "ix_information_requests_open_due",
            "due_at",
            postgresql_where=text("closed_at IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    request_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("credit_requests.id"), index=True)
    stage_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("approval_stages.id"))
    asked_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    asked_via: Mapped[str] = mapped_column(String(16))  # DecidedVia: app, email_link
    questions: Mapped[str] = mapped_column(Text)
    asked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    answered_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answer: Mapped[str | None] = mapped_column(Text)
    # {field: {"before": "5000.00", "after": "4000.00"}}, values as the API writes them.
    amendments: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    # InformationOutcome: resumed, rechained, auto_rejected, rejected, withdrawn, incomplete.
    outcome: Mapped[str | None] = mapped_column(String(16))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The fresh decision link the approver's "answered" email carries (theirs was spent).
    resume_link_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("approval_links.id"))

    def cache_scopes(self) -> list[str]:
        """Its request's page (applicant's and staff's), and every staff list."""
        return [f"request:{self.request_id}", "staff"]


class Offer(Base, Cached):
    """A counteroffer: the terms the final approver approved instead of those asked for, which
    the applicant accepts or declines before `expires_at` (else it lapses). One per request:
    only the last stage makes one, and a request reaches it once. The request keeps the
    amount and term the applicant asked for."""

    __tablename__ = "offers"
    __table_args__ = (
        CheckConstraint("outcome IN ('accepted', 'declined', 'lapsed')", name="outcome"),
        # The lapse sweep reads the open offers by expiry.
        Index("ix_offers_open_expiry", "expires_at", postgresql_where=text("outcome IS NULL")),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    request_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("credit_requests.id"), unique=True)
    applicant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    stage_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("approval_stages.id"))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    term_months: Mapped[int] = mapped_column(Integer)
    # The rate both installments (offered and asked for) are computed at: the policy's
    # reference rate when the offer was made, kept so the figures never move.
    annual_rate: Mapped[Decimal] = mapped_column(Numeric(7, 6))
    installment: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    reason: Mapped[str] = mapped_column(Text)  # the approver's words, shown to the applicant
    # The principal reasons the asked-for terms were not approved, [{code, message}] quoted
    # from the policy's catalogue when the offer was made (the adverse action notice's).
    reason_codes: Mapped[list[dict[str, str]]] = mapped_column(JSONB)
    made_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    made_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    responded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str | None] = mapped_column(String(16))  # OfferOutcome

    def cache_scopes(self) -> list[str]:
        """Its request's page, its applicant's lists, and every staff list."""
        return [f"request:{self.request_id}", f"applicant:{self.applicant_id}", "staff"]


class Absence(Base):
    """A staff user's out-of-office window and who holds their stages meanwhile. The
    `escalate` schedule moves the stages when it starts (`started_at`) and brings back those
    still pending when it ends or is cancelled (`ended_at`): see `shared.approvals.delegation`."""

    __tablename__ = "absences"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="window"),
        CheckConstraint("delegate_id <> user_id", name="not_self"),
        # What the schedule looks for: windows not yet started or not yet ended.
        Index(
            "ix_absences_open", "starts_at", "ends_at", postgresql_where=text("ended_at IS NULL")
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    delegate_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
