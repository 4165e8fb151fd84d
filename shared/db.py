"""Database engine and sessions, created once per process at first use."""

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import QueuePool

from shared.config import get_settings

logger = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # Values the database computes (`updated_at`'s onupdate, server defaults) come back with
    # the INSERT or UPDATE itself (RETURNING), not from a later SELECT on first access: an
    # answer serialised after a write reads nothing more, so PostgreSQL going away then is
    # a 503 from the write's own transaction, never a 500 from the serialiser.
    __mapper_args__ = {"eager_defaults": True}


_pool_sized_for: int | None = None  # see size_pool_for


def size_pool_for(concurrent_units: int) -> None:
    """Keep a connection for each of `concurrent_units` units of work this process runs at
    once (the local gateway's and runner's in-process functions), unless DB_POOL_SIZE says
    otherwise. Before the engine is made (`get_engine`, at first use); after, it comes too late
    to size anything, which is logged: units beyond the pool would open and close overflow
    connections, or wait for one."""
    global _pool_sized_for
    _pool_sized_for = concurrent_units
    if not get_engine.cache_info().currsize or "db_pool_size" in get_settings().model_fields_set:
        return
    pool = get_engine().pool
    if isinstance(pool, QueuePool) and pool.size() < concurrent_units:
        logger.warning(
            "the connection pool was made before it was sized; it keeps fewer connections "
            "than units of work may hold at once",
            extra={"pool_size": pool.size(), "concurrent_units": concurrent_units},
        )


@cache
def get_engine() -> Engine:
    """The process's engine and connection pool, made at first use."""
    # DB_POOL_SIZE: one connection per concurrent unit of work in this process; the overflow
    # covers a request that publishes its outbox while its own session is still open.
    settings = get_settings()
    pool_size = settings.db_pool_size
    if _pool_sized_for is not None and "db_pool_size" not in settings.model_fields_set:
        pool_size = _pool_sized_for
    engine = create_engine(
        settings.database_url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
    )
    if settings.database_role:
        act_as(engine, settings.database_role)
    return engine


def act_as(engine: Engine, role: str) -> None:
    """Every connection of `engine` acts as `role` from its first statement on."""

    @event.listens_for(engine, "connect")
    def _set_role(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f'SET ROLE "{role}"')  # a validated identifier (settings)
        # Committed: a session-level SET made in a transaction that rolls back is undone.
        dbapi_connection.commit()


@cache
def _session_factory() -> sessionmaker[Session]:
    return sessionmaker(get_engine(), expire_on_commit=False)


def new_session() -> Session:
    """A session of the process's pool; its first statement begins a transaction."""
    return _session_factory()()


def on_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run `callback` once the session's transaction commits (not if it rolls back): for
    effects that must not outrun the data, such as metrics counted per state change."""
    session.info.setdefault("on_commit", []).append(callback)


KEPT_ON_ROLLBACK = "kept_on_rollback"


def keep_on_rollback(session: Session, row: object) -> None:
    """Write `row` whether this transaction commits or rolls back: a refusal's audit entry
    must outlive the attempt it refuses. `state_change` writes it, on the same connection, so
    a refused request never needs a second one while it holds locks."""
    session.info.setdefault(KEPT_ON_ROLLBACK, []).append(row)


def take_kept(session: Session) -> list[object]:
    """The rows `keep_on_rollback` put aside, handed over once."""
    return list(session.info.pop(KEPT_ON_ROLLBACK, []))


# SQLAlchemy sends both events for a savepoint too (released, rolled back to): only the
# transaction's own commit or rollback runs or drops what waits for it.
@event.listens_for(Session, "after_commit")
def _run_commit_callbacks(session: Session) -> None:
    if session.in_nested_transaction():
        return
    for callback in session.info.pop("on_commit", []):
        callback()


@event.listens_for(Session, "after_rollback")
def _drop_commit_callbacks(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop("on_commit", None)


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back if it raises."""
    with new_session() as session, session.begin():
        yield session
