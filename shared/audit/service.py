"""Writing the audit trail. Called inside the transaction of the change it records."""

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.audit.models import AuditLog
from shared.audit.schemas import ANONYMOUS, AuditFilters
from shared.db import unit_of_work
from shared.errors import InvalidInput
from shared.users.models import User


class Actor:
    """Who did it: a user, or a workflow step acting on its own (`system:<step>`)."""

    def __init__(self, label: str, user_id: uuid.UUID | None = None) -> None:
        self.label = label
        self.user_id = user_id

    @classmethod
    def system(cls, step: str) -> "Actor":
        return cls(f"system:{step}")

    @classmethod
    def anonymous(cls) -> "Actor":
        return cls(ANONYMOUS)


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: object | None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditLog(
            actor_id=actor.user_id,
            actor=actor.label,
            action=action,
            entity_type=entity_type,
            entity_id=None if entity_id is None else str(entity_id),
            before=before,
            after=after,
            details=details,
        )
    )


def record_refusal(
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: object | None,
    reason: str,
    **details: Any,
) -> None:
    """Audit a refused attempt in its own transaction: the attempt's own one is rolled back."""
    with unit_of_work() as session:
        record(
            session, actor, action, entity_type, entity_id, details={"refused": reason, **details}
        )


def search(session: Session, filters: AuditFilters) -> tuple[list[AuditLog], str | None]:
    """Newest first, keyset-paginated on the id (the cursor is the last id seen)."""
    query = select(AuditLog)
    if filters.actor_id is not None:
        query = query.where(AuditLog.actor_id == filters.actor_id)
    if filters.actor is not None:
        # Usernames never change, so a user's entries are exactly those carrying their id,
        # which is indexed (the label is not); other actors are matched by their label.
        user_id = session.scalar(select(User.id).where(User.username == filters.actor))
        query = query.where(
            AuditLog.actor == filters.actor if user_id is None else AuditLog.actor_id == user_id
        )
    if filters.action is not None:
        query = query.where(AuditLog.action == filters.action)
    if filters.entity_type is not None:
        query = query.where(AuditLog.entity_type == filters.entity_type)
    if filters.entity_id is not None:
        query = query.where(AuditLog.entity_id == filters.entity_id)
    if filters.at_from is not None:
        query = query.where(AuditLog.at >= filters.at_from)
    if filters.at_to is not None:
        query = query.where(AuditLog.at < filters.at_to)
    if filters.cursor is not None:
        if not (filters.cursor.isascii() and filters.cursor.isdigit()):  # "²".isdigit()
            raise InvalidInput("The cursor is not valid for this query.", code="invalid_cursor")
        query = query.where(AuditLog.id < int(filters.cursor))
    rows = list(session.scalars(query.order_by(AuditLog.id.desc()).limit(filters.limit + 1)))
    page = rows[: filters.limit]
    return page, str(page[-1].id) if len(rows) > filters.limit else None
