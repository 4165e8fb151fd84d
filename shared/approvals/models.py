import uuid
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.caching import Cached
from shared.db import Base
from shared.users.models import User
from shared.workflow.states import StageStatus


class ApprovalStage(Base, Cached):
    __tablename__ = "approval_stages"
    __table_args__ = (
        UniqueConstraint("request_id", "level"),
        # The inbox's order (pending_for), and an approver's load (its prefix).
        Index("ix_approval_stages_assignee_status_due", "assignee_id", "status", "due_at", "id"),
        Index("ix_approval_stages_status_due", "status", "due_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    request_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("credit_requests.id"), index=True)
    level: Mapped[int] = mapped_column(Integer)
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
