"""Registering users and managing roles."""

import re
import uuid

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from shared.audit.service import Actor, record, record_refusal
from shared.auth.passwords import hash_password
from shared.errors import Conflict, Forbidden, NotFound
from shared.messaging.outbox import add_event
from shared.users.models import User
from shared.users.schemas import UserCreate, UserUpdate
from shared.workflow.events import EventType, UserEvent
from shared.workflow.states import Role


def actor_of(user: User) -> Actor:
    return Actor(user.username, user.id)


def register(session: Session, data: UserCreate, role: Role = Role.APPLICANT) -> User:
    email = data.email.lower()
    taken = session.scalar(
        select(User.id).where(or_(User.username == data.username, User.email == email))
    )
    if taken is not None:
        raise Conflict("That username or email is already registered.", code="user_exists")
    user = User(
        username=data.username,
        email=email,
        full_name=data.full_name,
        password_hash=hash_password(data.password),
        role=role.value,
    )
    session.add(user)
    session.flush()
    record(session, actor_of(user), "user.registered", "user", user.id, after=_snapshot(user))
    add_event(session, EventType.USER_REGISTERED, UserEvent(user_id=user.id))  # the welcome
    return user


def get(session: Session, user_id: uuid.UUID) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


def list_page(
    session: Session, limit: int, after_username: str | None, search: str | None = None
) -> list[User]:
    query = select(User).order_by(User.username).limit(limit + 1)
    if after_username is not None:
        query = query.where(User.username > after_username)
    if search is not None and search.strip():
        # Escaped, so a "_" (common in usernames) or "%" matches only itself.
        escaped = re.sub(r"([\\%_])", r"\\\1", search.strip())
        pattern = f"%{escaped}%"
        query = query.where(
            or_(User.username.ilike(pattern, escape="\\"), User.email.ilike(pattern, escape="\\"))
        )
    return list(session.scalars(query))


def update(session: Session, admin: User, user_id: uuid.UUID, change: UserUpdate) -> User:
    if user_id == admin.id:
        # Checked before the row is locked: the refusal's audit entry references this row.
        record_refusal(
            actor_of(admin),
            "user.update_refused",
            "user",
            user_id,
            "self_change",
            change=change.model_dump(mode="json", exclude_none=True),
        )
        raise Forbidden(
            "Administrators cannot change their own role or status.", code="self_change"
        )
    user = session.get(User, user_id, with_for_update=True)
    if user is None:
        raise NotFound("No such user.")
    before = _snapshot(user)
    if change.role is not None:
        user.role = change.role.value
    if change.is_active is not None:
        user.is_active = change.is_active
    record(
        session,
        actor_of(admin),
        "user.updated",
        "user",
        user.id,
        before=before,
        after=_snapshot(user),
    )
    return user


def _snapshot(user: User) -> dict[str, object]:
    return {"username": user.username, "role": user.role, "is_active": user.is_active}
