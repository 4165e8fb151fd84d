"""Who is calling, as every authenticated request needs to know: a user's row, detached and
cacheable, read through the read cache (scope `user:<id>`, bumped by any change to the row)."""

import json
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from shared.caching import CacheKey, read_through
from shared.users.models import User


@dataclass(frozen=True)
class Identity:
    id: uuid.UUID
    username: str
    email: str
    full_name: str
    role: str
    is_active: bool
    created_at: datetime
    email_verified: bool

    @classmethod
    def of(cls, user: User) -> "Identity":
        """The identity of a user row, as it is now."""
        return cls(
            id=user.id,
            username=user.username,
            email=user.email,
            full_name=user.full_name,
            role=user.role,
            is_active=user.is_active,
            created_at=user.created_at,
            email_verified=user.email_verified,
        )


def _dump(identity: Identity | None) -> bytes:
    return json.dumps(None if identity is None else asdict(identity), default=str).encode()


def load(raw: bytes) -> Identity | None:
    """The identity a cached entry holds (None: no such user)."""
    data = json.loads(raw)
    if data is None:
        return None
    return Identity(
        **{
            **data,
            "id": uuid.UUID(data["id"]),
            "created_at": datetime.fromisoformat(data["created_at"]),
        }
    )


def cache_key(user_id: uuid.UUID) -> CacheKey:
    """Where a user's identity is cached. The key names the entry's shape: entries cached
    before `email_verified` existed are never read as identities."""
    return CacheKey("identity", (f"user:{user_id}",), f"{user_id}:v2")


def identity_of(
    session: Session, user_id: uuid.UUID, also: Sequence[str] = ()
) -> tuple[Identity | None, tuple[bytes | None, ...] | None]:
    """The user with this id as they are now (cached until their row changes; None if there
    is no such user), and the values of the `also` Redis keys, read in the same round trip
    (None when Redis was not reached)."""

    def read() -> bytes:
        user = session.get(User, user_id)
        return _dump(None if user is None else Identity.of(user))

    entry = read_through(cache_key(user_id), read, also)
    return load(entry.body), entry.also
