import uuid
from datetime import datetime

from sqlalchemy import Boolean, DateTime, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from shared.caching import Cached
from shared.db import Base
from shared.workflow.states import Role


class User(Base, Cached):
    __tablename__ = "users"
    # Identities are unique whatever their case: `ADMIN` cannot register beside `admin`.
    __table_args__ = (
        Index("uq_users_username_lower", func.lower("username"), unique=True),
        Index("uq_users_email_lower", func.lower("email"), unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.APPLICANT.value, index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # When they followed the link emailed to them; None: unverified (may not submit, gets no
    # workflow email).
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When the retention job anonymised the account (shared.retention): no name, no email.
    anonymised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    def cache_scopes(self) -> list[str]:
        """Who they are to every request they make (their cached identity)."""
        return [f"user:{self.id}"]
