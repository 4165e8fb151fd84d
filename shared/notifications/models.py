import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base
from shared.users.models import User


class NotificationPreference(Base):
    """Whether one user gets notifications on one channel, and where. No row: the channel's
    default (email on, the others off)."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(User.id, ondelete="CASCADE"), primary_key=True
    )
    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)
    # The channel's own settings (its `Settings` model), e.g. the URL to post to.
    settings: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    # Channels that sign what they send (webhook): the random half of the signing secret,
    # which is derived from it and SECRET_KEY, so the database never holds the secret itself.
    key_id: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
