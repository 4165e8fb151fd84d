"""Registering users and managing roles."""

import re
import uuid

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.audit.service import Actor, record, record_refusal
from shared.clock import utcnow
from shared.errors import Conflict, Forbidden, NotFound
from shared.messaging.outbox import add_event
from shared.pagination import UUID, Key, Keyset, TextKind, paginate
from shared.users.identity import Identity
from shared.users.models import User
from shared.users.passwords import hash_password
from shared.users.schemas import UserCreate, UserUpdate
from shared.workflow.events import EventType, UserEvent
from shared.workflow.states import Role

BY_USERNAME = Keyset("username", (Key(User.username, TextKind(64)), Key(User.id, UUID)))


def register(
    session: Session, data: UserCreate, role: Role = Role.APPLICANT, *, verified: bool = False
) -> User:
    """A new active user of `role` (applicant unless seeded), audited; 409 `user_exists` when
    the username or email is taken, whatever its case, even by a registration racing this one.
    The welcome email carries the link that verifies the address, unless the account is
    seeded `verified` (demo and test accounts)."""
    email = data.email.lower()
    taken = session.scalar(
        select(User.id).where(
            or_(func.lower(User.username) == data.username.lower(), User.email == email)
        )
    )
    if taken is not None:
        raise _user_exists()
    user = User(
        username=data.username,
        email=email,
        full_name=data.full_name,
        password_hash=hash_password(data.password),
        role=role.value,
        email_verified_at=utcnow() if verified else None,
    )
    try:
        # A savepoint: a concurrent registration that won the unique index is a 409, and the
        # request's transaction stays usable.
        with session.begin_nested():
            session.add(user)
    except IntegrityError as exc:
        raise _user_exists() from exc
    record(session, Actor.of(user), "user.registered", "user", user.id, after=_snapshot(user))
    add_event(session, EventType.USER_REGISTERED, UserEvent(user_id=user.id))  # the welcome
    return user


def _user_exists() -> Conflict:
    return Conflict("That username or email is already registered.", code="user_exists")


def by_username(session: Session, username: str) -> User | None:
    """The user who signs in as `username`, whatever its case."""
    return session.scalar(select(User).where(func.lower(User.username) == username.lower()))


def get(session: Session, user_id: uuid.UUID) -> User:
    """The user with this id; 404 if there is none."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


def list_page(
    session: Session,
    limit: int,
    cursor: str | None,
    search: str | None = None,
    role: Role | None = None,
) -> tuple[list[User], str | None]:
    """One page of users by username; `search` matches part of a username or email, any case;
    `role`, when given, keeps only the users who hold it."""
    query = select(User)
    if role is not None:
        query = query.where(User.role == role.value)
    if search is not None and search.strip():
        # Escaped, so a "_" (common in usernames) or "%" matches only itself.
        escaped = re.sub(r"([\\%_])", r"\\\1", search.strip())
        pattern = f"%{escaped}%"
        query = query.where(
            or_(User.username.ilike(pattern, escape="\\"), User.email.ilike(pattern, escape="\\"))
        )
    return paginate(session, query, BY_USERNAME, cursor, limit)


def id_by_username(session: Session, username: str) -> uuid.UUID | None:
    """The id of the user with this username, if there is one."""
    return session.scalar(select(User.id).where(User.username == username))


def update(session: Session, admin: Identity, user_id: uuid.UUID, change: UserUpdate) -> User:
    """Change a user's role or active flag, audited; 403 for an admin's own account, 404 for no
    such user."""
    if user_id == admin.id:
        # Checked before the row is locked: the refusal's audit entry references this row.
        record_refusal(
            session,
            Actor.of(admin),
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
        Actor.of(admin),
        "user.updated",
        "user",
        user.id,
        before=before,
        after=_snapshot(user),
    )
    return user


def _snapshot(user: User) -> dict[str, object]:
    return {"username": user.username, "role": user.role, "is_active": user.is_active}
