"""The read cache: answers people repeat, kept in Redis per viewer and per query, and
invalidated by the changes themselves.

Every cached entry is computed under the current *versions* of the scopes it depends on
(`staff`, `request:<id>`, `applicant:<id>`, `user:<id>`). A committed change to a cached
entity bumps its scopes' versions (`Cached.cache_scopes`, collected at flush, bumped right
after commit), so the next read recomputes: an applicant reads their own write on the very
next call, staff lists follow any step within a round trip. Entries also expire
(`READ_CACHE_SECONDS`) in case a bump was lost to a Redis outage.

One Redis round trip answers a hit: the scopes' versions and the entry come in one MGET, and
the entry records the versions it was computed under. When many callers miss one key at once,
one computes it (a short lock) and the others wait for its answer.

Redis down: every read is computed from PostgreSQL, as without a cache, with a warning metric
(`cache_errors_total`) and a pause before Redis is tried again; never an error to the client.
A process that could not bump versions during an outage bumps the cache's *generation* (part
of every entry's versions) as soon as Redis answers again, so nothing cached before the
outage outlives it.
"""

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from shared import metrics
from shared.cache import get_redis, get_redis_bytes, redis_available, redis_failed
from shared.config import get_settings

logger = logging.getLogger(__name__)

_PENDING_SCOPES = "cache_scopes"
_GENERATION = "generation"  # a scope every entry depends on
_lost_bumps = threading.Event()  # this process committed changes it could not announce
_LOCK_SECONDS = 5
_WAIT_FOR_OTHERS_SECONDS = 1.0
_POLL_SECONDS = 0.02


class Cached:
    """A model whose changes invalidate cached reads: it names the scopes it belongs to."""

    def cache_scopes(self) -> Iterable[str]:
        raise NotImplementedError


def touch(session: Session, *scopes: str) -> None:
    """Bump these scopes' versions once the session commits (for changes the ORM does not
    see, such as a bulk UPDATE)."""
    session.info.setdefault(_PENDING_SCOPES, set()).update(scopes)


@event.listens_for(Session, "after_flush")
def _collect_scopes(session: Session, _: object) -> None:
    changed = [*session.new, *session.dirty, *session.deleted]
    scopes = {s for obj in changed if isinstance(obj, Cached) for s in obj.cache_scopes()}
    if scopes:
        touch(session, *scopes)


@event.listens_for(Session, "after_commit")
def _bump_versions(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: nothing is committed until the transaction is
    scopes = session.info.pop(_PENDING_SCOPES, None)
    if not scopes:
        return
    if not redis_available():
        _lost_bumps.set()
        return
    from redis.exceptions import RedisError  # with the client, at first use (shared.cache)

    try:
        pipe = get_redis().pipeline(transaction=False)
        for scope in scopes:
            pipe.incr(_version_key(scope))
        announced = _announce_lost_bumps(pipe)
        pipe.execute()
        if announced:
            _lost_bumps.clear()
    except RedisError:
        _lost_bumps.set()
        redis_failed()
        metrics.CACHE_ERRORS.labels("versions").inc()
        logger.warning("cache versions not bumped; the generation moves when Redis is back")


def _announce_lost_bumps(pipe: Any) -> bool:
    # Changes committed while Redis was away invalidated nothing: start a new generation.
    if not _lost_bumps.is_set():
        return False
    pipe.incr(_version_key(_GENERATION))
    return True


@event.listens_for(Session, "after_rollback")
def _forget_scopes(session: Session) -> None:
    # Back to a savepoint, the transaction's earlier changes stand: keep their scopes (the
    # savepoint's own bump too, which costs a recomputation, never a stale answer).
    if not session.in_nested_transaction():
        session.info.pop(_PENDING_SCOPES, None)


def _prefix() -> str:
    return f"{get_settings().resource_prefix}:cache"


def _version_key(scope: str) -> str:
    return f"{_prefix()}:v:{scope}"


@dataclass(frozen=True)
class CacheKey:
    """Where an answer is cached: the cache's name (its metrics' label), the scopes whose
    changes invalidate it, and a key holding everything else the answer depends on: the
    viewer and the normalised query."""

    name: str
    scopes: tuple[str, ...]
    key: str


@dataclass(frozen=True)
class Entry:
    """A cached answer: its body and the ETag that names exactly that body; and the values of
    the `also` keys read in the same round trip (None when Redis was not reached)."""

    body: bytes
    etag: str
    also: tuple[bytes | None, ...] | None = None


@dataclass(frozen=True)
class Miss:
    """A key `peek` found missing or stale, with the versions (`stamp`) it looked under."""

    stamp: str


def etag_of(body: bytes) -> str:
    """A strong ETag for a body: equal bodies, equal tags."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def read_through(
    at: CacheKey,
    compute: Callable[[], bytes],
    also: Sequence[str] = (),
    missed: Miss | None = None,
) -> Entry:
    """The answer cached at `at` under the current versions of its scopes, or the one
    `compute` makes (and stores). `compute` must read what the answer says itself rather than
    reuse what was read before this call: the answer is stored under the versions read here,
    and an older read would be kept as the newer version's answer. `also` names plain keys to
    read in the same round trip (a caller's other lookups). `missed` is what `peek` found for
    `at` a moment ago: the answer is computed at once and stored under the versions `peek`
    read, which is as safe, since those were read before `compute` reads anything (and `also`
    is not read: the caller has its values from `peek`)."""
    if missed is not None and also:
        raise ValueError("read_through: `also` was read by the peek that missed")
    name, entry_key = at.name, _entry_key(at)
    if not redis_available():  # it failed a moment ago: straight to the database
        metrics.CACHE_ERRORS.labels(name).inc()
        return _computed(compute)
    from redis.exceptions import RedisError  # with the client, at first use (shared.cache)

    try:
        redis = get_redis_bytes()
        if missed is None:
            [(stamp, found)], extra = _lookup(redis, [at], also)
            if found is not None:
                metrics.CACHE_HITS.labels(name).inc()
                return replace(found, also=extra)
        else:
            stamp, extra = missed.stamp, ()
        metrics.CACHE_MISSES.labels(name).inc()
        if redis.set(entry_key + ":lock", "1", nx=True, ex=_LOCK_SECONDS):
            try:
                body = compute()
            except BaseException:
                redis.delete(entry_key + ":lock")  # a refusal (404, 403) caches nothing
                raise
            return replace(_store(redis, entry_key, stamp, body), also=extra)
        # Someone is computing this very answer: wait for it rather than pile on PostgreSQL.
        deadline = time.monotonic() + _WAIT_FOR_OTHERS_SECONDS
        while time.monotonic() < deadline:
            time.sleep(_POLL_SECONDS)
            if (found := _unpack(redis.get(entry_key), stamp)) is not None:
                return replace(found, also=extra)
        return replace(_store(redis, entry_key, stamp, compute()), also=extra)
    except RedisError:
        redis_failed()
        metrics.CACHE_ERRORS.labels(name).inc()
        logger.warning("read cache unavailable; answering from the database", extra={"cache": name})
        return _computed(compute)


def peek(
    *at: CacheKey, also: Sequence[str] = ()
) -> tuple[list[Entry | Miss], tuple[bytes | None, ...]] | None:
    """In one round trip: the answer cached at each of `at` if it is current (a `Miss` for one
    missing or stale), and the values of the `also` keys; None when Redis is not reachable.
    Nothing is computed, stored or counted: a caller that answers from these counts its hits
    (`count_hits`), and one that does not goes on to `read_through` (given the `Miss`, which
    spares it a second lookup), which counts."""
    if not redis_available():
        return None
    from redis.exceptions import RedisError  # with the client, at first use (shared.cache)

    try:
        found, extra = _lookup(get_redis_bytes(), at, also)
    except RedisError:
        redis_failed()
        return None
    return [Miss(stamp) if entry is None else entry for stamp, entry in found], extra


def count_hits(*at: CacheKey) -> None:
    """Count answers a caller gave from what `peek` found."""
    for key in at:
        metrics.CACHE_HITS.labels(key.name).inc()


def _entry_key(at: CacheKey) -> str:
    return f"{_prefix()}:e:{at.name}:{hashlib.sha256(at.key.encode()).hexdigest()}"


def _lookup(
    redis: Any, keys: Sequence[CacheKey], also: Sequence[str]
) -> tuple[list[tuple[str, Entry | None]], tuple[bytes | None, ...]]:
    """One round trip: for each key, the stamp of its scopes' current versions and its entry
    if it was computed under exactly those; and the values of the `also` keys."""
    scope_lists = [[_GENERATION, *sorted(set(k.scopes))] for k in keys]
    scopes = sorted({scope for scope_list in scope_lists for scope in scope_list})
    if _lost_bumps.is_set():
        redis.incr(_version_key(_GENERATION))
        _lost_bumps.clear()
    values = redis.mget([*(_version_key(s) for s in scopes), *(_entry_key(k) for k in keys), *also])
    versions = dict(zip(scopes, values[: len(scopes)], strict=True))
    found = []
    for index, scope_list in enumerate(scope_lists):
        stamp = ",".join(_text(versions[scope]) for scope in scope_list)
        found.append((stamp, _unpack(values[len(scopes) + index], stamp)))
    extra = tuple(_raw(v) for v in values[len(scopes) + len(keys) :])
    return found, extra


def scope_stamp(*scopes: str) -> str | None:
    """The current versions of `scopes` (and the generation) as one string that changes with
    any bump of them, for a process-local cache to ask "has anything changed?" in one round
    trip; None when Redis is not reachable (the caller falls back on its own expiry)."""
    if not redis_available():
        return None
    from redis.exceptions import RedisError  # with the client, at first use (shared.cache)

    try:
        versions = get_redis().mget([_version_key(s) for s in (_GENERATION, *scopes)])
    except RedisError:
        redis_failed()
        metrics.CACHE_ERRORS.labels("versions").inc()
        return None
    return ",".join(_text(v) for v in versions)


def _raw(value: bytes | str | None) -> bytes | None:
    return value.encode() if isinstance(value, str) else value


def _text(version: bytes | str | None) -> str:
    if version is None:
        return "0"
    return version.decode() if isinstance(version, bytes) else version


def _computed(compute: Callable[[], bytes]) -> Entry:
    # Redis was unreachable: counted as an error (the caller did), not as a miss, so an outage
    # reads as ReadCacheUnavailable and not also as a cache churning (ReadCacheHitRatioLow).
    body = compute()
    return Entry(body, etag_of(body))


def _store(redis: Any, entry_key: str, stamp: str, body: bytes) -> Entry:
    entry = Entry(body, etag_of(body))
    # One value: the versions it was computed under, its ETag, its body.
    packed = f"{stamp}\n{entry.etag}\n".encode() + body
    pipe = redis.pipeline(transaction=False)
    pipe.set(entry_key, packed, ex=get_settings().read_cache_seconds)
    pipe.delete(entry_key + ":lock")
    pipe.execute()
    return entry


def _unpack(stored: Any, stamp: str) -> Entry | None:
    if stored is None:
        return None
    stored_stamp, etag, body = bytes(stored).split(b"\n", 2)
    if stored_stamp.decode() != stamp:
        return None  # computed before a change: stale
    return Entry(body, etag.decode())
