"""Writing the audit trail. Called inside the transaction of the change it records."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from shared.audit.models import AuditLog
from shared.audit.schemas import ANONYMOUS, AuditFilters, AuditQuery
from shared.db import keep_on_rollback
from shared.pagination import BIGINT, Key, Keyset, paginate


class Person(Protocol):
    """Anything that names a signed-in person: a user row or a cached identity."""

    @property
    def id(self) -> uuid.UUID: ...

    @property
    def username(self) -> str: ...


@dataclass(frozen=True)
class Actor:
    """Who did it: a user, or a workflow step acting on its own (`system:<step>`)."""

    label: str
    user_id: uuid.UUID | None = None

    @classmethod
    def of(cls, person: Person) -> "Actor":
        """The person as the audit trail names them: their username, and their id."""
        return cls(person.username, person.id)

    @classmethod
    def system(cls, step: str) -> "Actor":
        """A workflow step acting on its own, named `system:<step>`."""
        return cls(f"system:{step}")

    @classmethod
    def anonymous(cls) -> "Actor":
        """Someone not signed in (a failed sign-in)."""
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
    """Add an entry to the session's transaction: it exists exactly when the change does."""
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
    session: Session,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: object | None,
    reason: str,
    **details: Any,
) -> None:
    """Audit a refused attempt: written even though the attempt's transaction rolls back
    (see `state_change`), on the same connection."""
    keep_on_rollback(
        session,
        AuditLog(
            actor_id=actor.user_id,
            actor=actor.label,
            action=action,
            entity_type=entity_type,
            entity_id=None if entity_id is None else str(entity_id),
            details={"refused": reason, **details},
        ),
    )


NEWEST_FIRST = Keyset("-id", (Key(AuditLog.id, BIGINT),), descending=True)


EntityRef = tuple[str, str]  # (entity_type, entity_id)


def search(
    session: Session,
    filters: AuditFilters,
    actor_user_id: uuid.UUID | None = None,
    request_entities: Sequence[EntityRef] = (),
) -> tuple[list[AuditLog], str | None]:
    """Entries matching every filter, newest first, one page. `actor_user_id` is the id of
    the user named by `filters.actor`, when that is a user: a user's entries are exactly those
    carrying their id, which is indexed (the label is not); other actors match by label.
    `request_entities` are what `filters.request_id` covers: the request and its stages."""
    query = matching(filters, actor_user_id, request_entities)
    return paginate(session, query, NEWEST_FIRST, filters.cursor, filters.limit)


def matching(
    filters: AuditQuery,
    actor_user_id: uuid.UUID | None = None,
    request_entities: Sequence[EntityRef] = (),
) -> Select[AuditLog]:
    """The entries matching every filter (paging aside), unordered; arguments as `search`."""
    query = select(AuditLog)
    if filters.request_id is not None:
        query = query.where(
            or_(
                *(
                    and_(AuditLog.entity_type == kind, AuditLog.entity_id == entity_id)
                    for kind, entity_id in request_entities
                )
            )
        )
    if filters.actor_id is not None:
        query = query.where(AuditLog.actor_id == filters.actor_id)
    if filters.actor is not None:
        query = query.where(
            AuditLog.actor == filters.actor
            if actor_user_id is None
            else AuditLog.actor_id == actor_user_id
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
    return query
