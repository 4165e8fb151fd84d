"""The read cache (shared/caching.py) against real Redis and PostgreSQL: entries are per viewer
and per query and never answer another viewer; every committed change invalidates what it
touches, from the API or a queue step; ETags give 304s; concurrent misses compute once; and
with Redis gone every read still answers, from the database."""

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from shared import cache
from shared.auth import service as auth_service
from shared.auth import tokens
from shared.caching import CacheKey, Entry, Miss, peek, read_through, touch
from shared.clock import utcnow
from shared.config import get_settings
from shared.credit import policy
from shared.db import on_commit, unit_of_work
from tests.policy_versions import activate, active_document, policy_restored
from tests.support import Api, Person

LIST = "/api/v1/credit-requests"


def _ids(api: Api, auth: dict[str, str], **params: str | int) -> list[str]:
    response = api.http.get(LIST, params=params, headers=auth)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def _counter(name: str, cache_name: str) -> float:
    return REGISTRY.get_sample_value(name, {"cache": cache_name}) or 0.0


def test_one_viewers_entry_never_answers_another(api: Api, staff: dict[str, Person]) -> None:
    first, second = api.login(api.register()), api.login(api.register())
    mine = api.submit(first)["id"]
    theirs = api.submit(second)["id"]
    # The same query, each answered from the cache after its first read: never crossed.
    for _ in range(2):
        assert _ids(api, first, limit=5) == [mine]
        assert _ids(api, second, limit=5) == [theirs]
    # A detail the owner has cached is still a 404 for someone else, again and again.
    assert api.http.get(f"{LIST}/{mine}", headers=first).status_code == 200
    for _ in range(2):
        assert api.http.get(f"{LIST}/{mine}", headers=second).status_code == 404
    # Staff, asking the very same query, see everyone's; the applicant still sees only theirs.
    staff_auth = api.login(staff["analyst1"])
    everyone = _ids(api, staff_auth, limit=100)
    assert {mine, theirs} <= set(everyone)
    assert _ids(api, first, limit=5) == [mine]
    # Applicants and staff read different details of one request: no bureau report for the
    # applicant, even once staff have the staff view cached.
    staff_view = api.http.get(f"{LIST}/{mine}", headers=staff_auth).json()
    own_view = api.http.get(f"{LIST}/{mine}", headers=first).json()
    assert own_view["score_result"] is None or own_view["score_result"]["bureau_report"] is None
    assert staff_view["id"] == own_view["id"]


def test_an_applicant_reads_their_own_write_on_the_next_call(
    api: Api, drain: Callable[[], None]
) -> None:
    auth = api.login(api.register())
    first = api.submit(auth)["id"]
    assert _ids(api, auth) == [first]
    assert _ids(api, auth) == [first]  # now from the cache
    second = api.submit(auth)["id"]
    assert _ids(api, auth) == [second, first]
    assert api.request(auth, second)["status"] == "submitted"
    drain()  # the score step (a queue consumer) changes it: the cached detail follows at once
    assert api.request(auth, second)["status"] == "pending_approval"
    withdrawn = api.http.post(f"{LIST}/{second}/withdraw", headers=auth)
    assert withdrawn.status_code == 200
    assert api.request(auth, second)["status"] == "withdrawn"
    statuses = api.http.get(LIST, headers=auth).json()["items"]
    assert statuses[0]["status"] == "withdrawn"


def test_staff_lists_and_stats_follow_any_step(
    api: Api, staff: dict[str, Person], drain: Callable[[], None]
) -> None:
    staff_auth = api.login(staff["manager1"])
    applicant = api.login(api.register())
    before = api.http.get("/api/v1/stats", headers=staff_auth).json()["total"]
    assert api.http.get("/api/v1/stats", headers=staff_auth).json()["total"] == before
    request_id = api.submit(applicant)["id"]
    assert api.http.get("/api/v1/stats", headers=staff_auth).json()["total"] == before + 1
    pending = _ids(api, staff_auth, status="pending_approval", limit=100)
    assert request_id not in pending
    drain()
    assert request_id in _ids(api, staff_auth, status="pending_approval", limit=100)


def test_a_client_that_has_the_answer_gets_304(api: Api) -> None:
    auth = api.login(api.register())
    request_id = api.submit(auth)["id"]
    for path in (LIST, f"{LIST}/{request_id}", "/api/v1/users/me"):
        first = api.http.get(path, headers=auth)
        etag = first.headers["ETag"]
        again = api.http.get(path, headers={**auth, "If-None-Match": etag})
        assert again.status_code == 304, path
        assert again.content == b""
        assert again.headers["ETag"] == etag
    # A change gives a new answer and a new tag.
    list_tag = api.http.get(LIST, headers=auth).headers["ETag"]
    api.submit(auth)
    changed = api.http.get(LIST, headers={**auth, "If-None-Match": list_tag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != list_tag


def test_reads_are_counted_as_hits_and_misses(api: Api) -> None:
    auth = api.login(api.register())
    api.submit(auth)
    hits, misses = (
        _counter("cache_hits_total", "credit_requests"),
        _counter("cache_misses_total", "credit_requests"),
    )
    _ids(api, auth, limit=7)
    _ids(api, auth, limit=7)
    _ids(api, auth, limit=7)
    assert _counter("cache_misses_total", "credit_requests") == misses + 1
    assert _counter("cache_hits_total", "credit_requests") == hits + 2


def test_concurrent_misses_of_one_key_compute_once() -> None:
    computed: list[int] = []

    def slow() -> bytes:
        computed.append(1)
        time.sleep(0.3)
        return b'{"answer": 42}'

    key = f"stampede-{uuid.uuid4()}"
    answers: list[bytes] = []

    def reader() -> None:
        answers.append(read_through(CacheKey("test", (f"test:{key}",), key), slow).body)

    threads = [threading.Thread(target=reader) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [b'{"answer": 42}'] * 12
    assert len(computed) == 1


def test_an_answer_computed_after_a_peek_is_kept_only_under_the_versions_peek_read() -> None:
    """A read that peeked, missed and then computed (as `CachedReads` does) stores its answer
    under the versions the peek saw: a change committed in between makes it stale at once,
    while with no change in between the next read is a hit."""
    scope = f"test:{uuid.uuid4()}"
    at = CacheKey("test", (scope,), scope)
    looked = peek(at)
    assert looked is not None
    [missed], _ = looked
    assert isinstance(missed, Miss)
    with unit_of_work() as session:  # a change lands while the answer is computed
        touch(session, scope)
    assert read_through(at, lambda: b"before the change", missed=missed).body == (
        b"before the change"
    )
    assert read_through(at, lambda: b"after the change").body == b"after the change"
    looked = peek(at)
    assert looked is not None
    [current], _ = looked
    assert isinstance(current, Entry) and current.body == b"after the change"


def test_a_savepoint_neither_announces_nor_forgets_its_transactions_changes() -> None:
    """SQLAlchemy reports a released savepoint as a commit and a savepoint rolled back to as a
    rollback. Neither ends the transaction: its changes must be announced when it commits,
    not before (a reader in between would keep the old answer under the new version), and
    not lost because a savepoint inside it failed."""
    scope = f"test:{uuid.uuid4()}"
    at = CacheKey("test", (scope,), scope)
    assert read_through(at, lambda: b"before").body == b"before"
    committed: list[str] = []
    with unit_of_work() as session:
        touch(session, scope)
        on_commit(session, lambda: committed.append("done"))
        with session.begin_nested():
            session.execute(text("SELECT 1"))
        # Released, not committed: the entry is still current, and nothing has run.
        assert read_through(at, lambda: b"too early").body == b"before"
        assert committed == []
        with pytest.raises(DBAPIError), session.begin_nested():
            session.execute(text("SELECT 1 / 0"))
    assert committed == ["done"]
    assert read_through(at, lambda: b"after").body == b"after"


@contextmanager
def redis_outage() -> Iterator[None]:
    """Redis unreachable for this process (its URL points at a port nobody listens on), then
    back, with the breaker closed again."""
    settings = get_settings()
    real = settings.redis_url
    settings.redis_url = "redis://127.0.0.1:9/0"
    cache.get_redis.cache_clear()
    cache.get_redis_bytes.cache_clear()
    try:
        yield
    finally:
        settings.redis_url = real
        cache.get_redis.cache_clear()
        cache.get_redis_bytes.cache_clear()
        cache._open_until = 0.0


def test_with_redis_down_everything_but_signing_in_goes_on(api: Api) -> None:
    """Decisions: reads come from PostgreSQL (a warning metric, never a 500); signing in (and
    registering) is refused with 503 (failures cannot be counted, so guessing must not go
    unthrottled); signed-in sessions go on, and one signed out during the outage stays out
    (checked in PostgreSQL), then and after it."""
    person = api.register()
    auth = api.login(person)
    leaving = api.login(person)
    request_id = api.submit(auth)["id"]
    assert _ids(api, auth) == [request_id]  # cached before the outage
    errors = _counter("cache_errors_total", "credit_requests")
    misses = _counter("cache_misses_total", "credit_requests")
    with redis_outage():
        assert _ids(api, auth) == [request_id]
        newer = api.submit(auth)["id"]
        assert _ids(api, auth) == [newer, request_id]
        assert api.request(auth, request_id)["id"] == request_id
        assert api.http.get("/api/v1/users/me", headers=auth).status_code == 200
        login = api.http.post(
            "/api/v1/token", data={"username": person.username, "password": person.password}
        )
        assert login.status_code == 503
        assert login.json()["error"]["code"] == "sign_in_unavailable"
        assert int(login.headers["Retry-After"]) > 0
        # Registering is throttled per address too: refused alike while nothing is counted.
        registering = api.http.post(
            "/api/v1/users",
            json={
                "username": f"outage-{uuid.uuid4().hex[:8]}",
                "email": f"outage-{uuid.uuid4().hex[:8]}@example.com",
                "password": "applicant-password-1",
                "full_name": "Outage Tester",
            },
        )
        assert registering.status_code == 503
        assert registering.json()["error"]["code"] == "registrations_unavailable"
        assert api.http.post("/api/v1/logout", json={}, headers=leaving).status_code == 204
        after = api.http.get("/api/v1/users/me", headers=leaving)
        assert (after.status_code, after.json()["error"]["code"]) == (401, "token_revoked")
    assert _counter("cache_errors_total", "credit_requests") > errors
    # An error, not also a miss: an outage is ReadCacheUnavailable, not a churning cache.
    assert _counter("cache_misses_total", "credit_requests") == misses
    # Back: the cache answers again, with what changed during the outage; the session signed
    # out meanwhile, which Redis never heard of, stays out, and only that one.
    assert _ids(api, auth) == [newer, request_id]
    for path in (LIST, "/api/v1/users/me", LIST):
        after = api.http.get(path, headers=leaving)
        assert (after.status_code, after.json()["error"]["code"]) == (401, "token_revoked")
    assert api.http.get("/api/v1/users/me", headers=auth).status_code == 200
    assert api.login(person)


def test_a_sign_out_redis_never_heard_of_is_refused_everywhere_once_it_is_back(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A session signed out during an outage by a process that never reaches Redis again (a
    Lambda sandbox reclaimed), so its deny-list entry is never written: a process that saw the
    outage refuses it as soon as Redis is back, and one that did not (a sandbox started since)
    once the deny-list's mark lapses, `DENY_LIST_REFRESH_SECONDS` after the last restore; the
    list is put back together from PostgreSQL and trusted again, and nobody else is signed
    out."""
    person = api.register()
    staying, first, second = api.login(person), api.login(person), api.login(person)
    for auth in (staying, first, second):  # the page and the account are cached for each
        for _ in range(2):
            assert api.http.get(LIST, headers=auth).status_code == 200
    redis = cache.get_redis()
    for leaving, saw_the_outage in ((first, True), (second, False)):
        with redis_outage():
            assert api.http.post("/api/v1/logout", json={}, headers=leaving).status_code == 204
        # The process that signed it out is gone, with the entry it could not write.
        monkeypatch.setattr(auth_service, "_unwritten", auth_service._Unwritten())
        if not saw_the_outage:
            monkeypatch.setattr(cache, "_last_failure_at", 0.0)
            # The first round's restore marked the list whole for a while, not for ever; Redis
            # drops the mark when that while is over.
            ttl = redis.ttl(auth_service.DENY_LIST_RESTORED)
            assert 0 < ttl <= auth_service.DENY_LIST_REFRESH_SECONDS
            redis.delete(auth_service.DENY_LIST_RESTORED)
        for path in (LIST, "/api/v1/users/me", LIST):
            refused = api.http.get(path, headers=leaving)
            assert (refused.status_code, refused.json()["error"]["code"]) == (
                401,
                "token_revoked",
            )
            assert api.http.get(path, headers=staying).status_code == 200
        claims = tokens.verify(
            leaving["Authorization"].removeprefix("Bearer "), tokens.TokenType.ACCESS
        )
        assert redis.exists(auth_service.REVOKED_SESSION_PREFIX + claims["sid"]) == 1
        # Restored as of now, so the checks that follow trust the list again.
        restored = redis.get(auth_service.DENY_LIST_RESTORED)
        assert restored is not None and abs(float(restored) - time.time()) < 10
        assert redis.exists(auth_service.DENY_LIST_FRESH) == 1
        denied = redis.mget(auth_service.deny_keys(claims))
        assert auth_service.revoked_by(claims, denied) is True  # Redis alone says so now


def test_the_deny_list_is_restored_before_its_mark_lapses(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once `DENY_LIST_EARLY_SECONDS` have passed since the last restore, the next check, by
    anyone, restores the list while its mark still holds: a sign-out Redis never heard of is
    refused from then on, that very check included if it is the signed-out token's, and the
    mark is renewed before it lapses, so checks never all fall back on PostgreSQL at once."""
    person = api.register()
    staying = api.login(person)
    redis = cache.get_redis()
    for first_check_by_the_leaver in (False, True):
        leaving = api.login(person)
        for auth in (staying, leaving):  # the page and the account are cached for each
            for _ in range(2):
                assert api.http.get(LIST, headers=auth).status_code == 200
        with redis_outage():
            assert api.http.post("/api/v1/logout", json={}, headers=leaving).status_code == 204
        # Signed out by a process gone since, in a deployment whose other processes never
        # saw the outage; the last restore, 50 s ago, predates the sign-out and is due again.
        monkeypatch.setattr(auth_service, "_unwritten", auth_service._Unwritten())
        monkeypatch.setattr(cache, "_last_failure_at", 0.0)
        earlier = time.time() - 50
        redis.set(auth_service.DENY_LIST_RESTORED, str(earlier), ex=10)
        redis.delete(auth_service.DENY_LIST_FRESH)
        if not first_check_by_the_leaver:
            assert api.http.get(LIST, headers=staying).status_code == 200
        restored_by_then = float(redis.get(auth_service.DENY_LIST_RESTORED) or 0)
        for path in (LIST, "/api/v1/users/me"):
            refused = api.http.get(path, headers=leaving)
            assert (refused.status_code, refused.json()["error"]["code"]) == (
                401,
                "token_revoked",
            )
            assert api.http.get(path, headers=staying).status_code == 200
        restored = float(redis.get(auth_service.DENY_LIST_RESTORED) or 0)
        assert restored > earlier + 40
        if not first_check_by_the_leaver:
            assert restored == restored_by_then  # the other's check restored it, once
        assert redis.ttl(auth_service.DENY_LIST_RESTORED) > 10
        assert redis.exists(auth_service.DENY_LIST_FRESH) == 1


def test_an_applicant_never_gets_the_staff_shaped_entry_of_their_request(
    api: Api, staff: dict[str, Person], drain: Callable[[], None]
) -> None:
    """Staff and the applicant read different pages of one request (usernames, tier, bureau
    report): a staff ETag revalidates nothing for the applicant, and someone whose role
    changes never reads what was cached for them in their former role."""
    person = api.register()
    auth = api.login(person)
    request_id = api.submit(auth)["id"]
    drain()
    url = f"{LIST}/{request_id}"
    staff_page = api.http.get(url, headers=api.login(staff["admin1"]))
    assert staff_page.json()["stages"][0]["assignee"]
    # The staff page's ETag, sent by the applicant: their own page, in full.
    sent = api.http.get(url, headers={**auth, "If-None-Match": staff_page.headers["ETag"]})
    assert sent.status_code == 200
    assert sent.headers["ETag"] != staff_page.headers["ETag"]
    assert sent.json()["stages"][0]["assignee"] is None
    assert (
        api.http.get(url, headers={**auth, "If-None-Match": sent.headers["ETag"]}).status_code
        == 304
    )

    admin = api.login(staff["admin1"])
    promoted = api.http.patch(f"/api/v1/users/{person.id}", json={"role": "analyst"}, headers=admin)
    assert promoted.status_code == 200
    try:
        as_staff = api.http.get(url, headers=auth).json()  # cached for them as staff
        assert as_staff["stages"][0]["assignee"] and as_staff["risk_tier"]
        everyone = api.http.get(LIST, params={"limit": 100}, headers=auth).json()["items"]
        assert next(i for i in everyone if i["id"] == request_id)["risk_tier"]
    finally:
        demoted = api.http.patch(
            f"/api/v1/users/{person.id}", json={"role": "applicant"}, headers=admin
        )
        assert demoted.status_code == 200
    for _ in range(2):  # fresh, then from the cache
        page = api.http.get(url, headers=auth)
        assert page.status_code == 200
        assert page.json()["stages"][0]["assignee"] is None
        assert page.json()["risk_tier"] is None
        assert page.json()["score_result"]["bureau_report"] is None
        assert page.json() == sent.json()
        listed = api.http.get(LIST, params={"limit": 100}, headers=auth).json()["items"]
        assert [(i["id"], i["risk_tier"]) for i in listed] == [(request_id, None)]


def test_an_applicants_page_follows_an_activation_another_process_made(
    api: Api, staff: dict[str, Person], drain: Callable[[], None]
) -> None:
    """Another process's activation reaches this one through the policy scope's version in
    Redis, which a warm process asks about at most once a second. A page computed within that
    second is stored under the new version: it must be the new policy's, or the applicant
    would be shown (or denied) their risk tier until the entry expired."""
    auth = api.login(api.register())
    request_id = api.submit(auth)["id"]
    drain()
    tier = api.staff_view(staff, request_id)["risk_tier"]
    assert tier is not None
    assert api.request(auth, request_id)["risk_tier"] is None  # hidden, and now cached
    with policy_restored():
        with policy._policy_lock:
            checked_before = policy._policy_cache()[policy.POLICY_NAME]
        activate({**active_document(), "risk_tier_for_applicants": "shown"})
        # As in a process that did not make the activation: its entry, checked just now.
        checked_before.checked = utcnow().timestamp()
        with policy._policy_lock:
            policy._policy_cache()[policy.POLICY_NAME] = checked_before
        assert api.request(auth, request_id)["risk_tier"] == tier
        listed = api.http.get(LIST, params={"limit": 100}, headers=auth).json()["items"]
        assert [(i["id"], i["risk_tier"]) for i in listed] == [(request_id, tier)]


def test_users_me_never_stores_an_account_read_before_a_change(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A call authorised with the account as it was just before another request changed it
    (the address verified in another tab) must not store that older account as the answer of
    the newer version: the next call shows the change."""
    from shared.http import deps
    from shared.messaging.outbox import state_change
    from shared.users.models import User

    auth = api.login(api.register(verified=False))
    user_id = api.http.get("/api/v1/users/me", headers=auth).json()["id"]
    read_identity = deps.identity_of

    def then_verified_elsewhere(*args: Any, **kwargs: Any) -> Any:
        found = read_identity(*args, **kwargs)
        with state_change() as other:  # commits and bumps the account's cache version
            account = other.get(User, uuid.UUID(user_id))
            assert account is not None
            account.email_verified_at = utcnow()
        return found

    monkeypatch.setattr(deps, "identity_of", then_verified_elsewhere)
    api.http.get("/api/v1/users/me", headers=auth)
    monkeypatch.undo()
    assert api.http.get("/api/v1/users/me", headers=auth).json()["email_verified"] is True
