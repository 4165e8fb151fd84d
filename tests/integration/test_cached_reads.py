"""The credit-request list answered ahead of the framework (`shared.http.caching.CachedReads`),
against real Redis and PostgreSQL: once the caller's account is cached, a read never reaches
FastAPI, whether its page is cached or not, and it answers exactly what the route would. It
is refused to whoever the route refuses (signed out, deactivated, a query the route rejects),
carries the same headers, and reads a query as the route does."""

import asyncio
import json
from collections.abc import MutableMapping
from datetime import timedelta
from typing import Annotated, Any

import httpx
import pytest
from fastapi import Depends, FastAPI, Query
from prometheus_client import REGISTRY

from functions.api.handler import app
from functions.api.routes import list_cache_key, list_page
from shared.auth import tokens
from shared.caching import touch
from shared.config import get_settings
from shared.db import unit_of_work
from shared.http.caching import CachedRead, CachedReads, checked
from shared.http.deps import CurrentUser
from shared.tracking.schemas import RequestFilters, RequestQuery
from shared.users import identity
from tests.support import Api, Person, promoted

LIST = "/api/v1/credit-requests"


def _reached_framework(path: str, query: bytes, auth: dict[str, str]) -> bool:
    """Call the api function's CachedReads with an inner app that records whether it was
    reached: the framework answers whatever CachedReads does not."""
    return _answer(path, query, auth) is None


def _answered(path: str, query: bytes, headers: dict[str, str]) -> int | None:
    """The status CachedReads answered with, or None when it left the call to the framework."""
    answer = _answer(path, query, headers)
    return None if answer is None else answer[0]


def _answer(path: str, query: bytes, headers: dict[str, str]) -> tuple[int, bytes] | None:
    """The status and body CachedReads answered with, or None when it left the call to the
    framework."""
    reached: list[bool] = []
    sent: list[dict[str, Any]] = []

    async def framework(scope: Any, receive: Any, send: Any) -> None:
        reached.append(True)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(dict(message))

    (reads,) = [m.kwargs["reads"] for m in app.user_middleware if m.cls is CachedReads]
    assert isinstance(reads, list)
    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": query,
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
    }
    # A loop of its own, never the thread's current one: asyncio.run would leave the main
    # thread without one, and later tests call Mangum handlers there.
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(CachedReads(framework, reads)(scope, receive, send))
    finally:
        loop.close()
    return None if reached else (int(sent[0]["status"]), bytes(sent[1]["body"]))


def _forget_account(person: Person) -> None:
    """Make the caller's cached account stale, as any change to the account does."""
    with unit_of_work() as session:
        touch(session, *identity.cache_key(person.id).scopes)


def _count(name: str) -> float:
    return REGISTRY.get_sample_value(name, {"cache": "credit_requests"}) or 0.0


def test_reads_are_answered_ahead_of_the_framework_once_the_account_is_cached(
    api: Api,
) -> None:
    person = api.register()
    auth = api.login(person)
    mine = api.submit(auth)["id"]
    _forget_account(person)
    assert _reached_framework(LIST, b"limit=7", auth)  # the framework reads the account
    assert api.http.get(LIST, params={"limit": 7}, headers=auth).status_code == 200
    assert _answered(LIST, b"limit=7", auth) == 200  # the page cached by the route
    # Another query, another key: computed here, as the route would, and stored.
    misses, hits = _count("cache_misses_total"), _count("cache_hits_total")
    answer = _answer(LIST, b"limit=8", auth)
    assert answer is not None and answer[0] == 200
    assert [item["id"] for item in json.loads(answer[1])["items"]] == [mine]
    assert _count("cache_misses_total") == misses + 1
    again = api.http.get(LIST, params={"limit": 8}, headers=auth)
    assert again.content == answer[1]
    assert (_count("cache_misses_total"), _count("cache_hits_total")) == (misses + 1, hits + 1)
    # A change makes the cached page stale: the next read computes it anew.
    second = api.submit(auth)["id"]
    answer = _answer(LIST, b"limit=7", auth)
    assert answer is not None
    assert [item["id"] for item in json.loads(answer[1])["items"]] == [second, mine]
    # The client has it: 304, a hit or not (an invalidation that changed nothing it shows).
    etag = api.http.get(LIST, params={"limit": 7}, headers=auth).headers["ETag"]
    assert _answered(LIST, b"limit=7", {**auth, "If-None-Match": etag}) == 304
    with unit_of_work() as session:
        touch(session, f"applicant:{person.id}")
    assert _answer(LIST, b"limit=7", {**auth, "If-None-Match": etag}) == (304, b"")
    # Not a bearer token, or none: the framework answers (401); a cursor the route's own code
    # refuses, too (with its error).
    assert _reached_framework(LIST, b"limit=7", {"Authorization": "Basic abc"})
    assert _reached_framework(LIST, b"limit=7", {})
    assert _reached_framework(LIST, b"cursor=not-a-cursor", auth)
    refused = api.http.get(LIST, params={"cursor": "not-a-cursor"}, headers=auth)
    assert refused.status_code in (400, 422)
    assert refused.json()["error"]["code"]


def test_a_cached_page_answers_as_the_route_does(api: Api) -> None:
    person = api.register()
    auth = api.login(person)
    for _ in range(3):
        api.submit(auth)
    _forget_account(person)
    first = api.http.get(LIST, params={"limit": 2}, headers=auth)  # by the route
    again = api.http.get(LIST, params={"limit": 2}, headers=auth)  # from the cache
    assert again.status_code == first.status_code == 200
    assert again.content == first.content
    assert len(again.json()["items"]) == 2
    assert _headers(again) == _headers(first)
    # Another key, the same rows (every amount is above 0.01): computed ahead of the route,
    # the route's very page.
    assert _answer(LIST, b"limit=2&amount_min=0.01", auth) == (200, first.content)
    assert {"etag", "cache-control", "content-security-policy"} <= set(_headers(again))
    # With an allowed origin, the same CORS answer.
    origin = {"Origin": sorted(get_settings().allowed_origins)[0]}
    cors = [api.http.get(LIST, params={"limit": 2}, headers={**auth, **origin}) for _ in range(2)]
    assert _headers(cors[1]) == _headers(cors[0])
    assert cors[1].headers["access-control-allow-origin"] == origin["Origin"]
    # A scalar given twice counts its last value, as the framework reads it, cached or not.
    for _ in range(2):
        twice = api.http.get(f"{LIST}?limit=3&limit=1", headers=auth)
        assert len(twice.json()["items"]) == 1
    # A list filter takes every value given.
    statuses = f"{LIST}?status=submitted&status=withdrawn&limit=5"
    for _ in range(2):
        assert len(api.http.get(statuses, headers=auth).json()["items"]) == 3


def _headers(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k not in ("date", "x-correlation-id")}


def test_a_query_the_route_refuses_is_refused_though_a_page_is_cached(api: Api) -> None:
    auth = api.login(api.register())
    api.submit(auth)
    assert api.http.get(f"{LIST}?limit=5", headers=auth).status_code == 200
    for query in ("limit=5&surprise=1", "limit=5000", "limit=five", "status=nonsense&limit=5"):
        response = api.http.get(f"{LIST}?{query}", headers=auth)
        assert response.status_code == 422, query
        assert response.json()["error"]["code"] == "validation_error"


def test_a_signed_out_or_deactivated_caller_gets_no_cached_page(
    api: Api, staff: dict[str, Person]
) -> None:
    person = api.register()
    auth, other_session = api.login(person), api.login(person)
    api.submit(auth)
    for session in (auth, other_session):
        assert api.http.get(LIST, headers=session).status_code == 200
        assert api.http.get(LIST, headers=session).status_code == 200  # cached
    assert api.http.post("/api/v1/logout", json={}, headers=auth).status_code == 204
    signed_out = api.http.get(LIST, headers=auth)
    assert (signed_out.status_code, signed_out.json()["error"]["code"]) == (401, "token_revoked")
    admin = api.login(staff["admin1"])
    deactivated = api.http.patch(
        f"/api/v1/users/{person.id}", json={"is_active": False}, headers=admin
    )
    assert deactivated.status_code == 200
    refused = api.http.get(LIST, headers=other_session)
    assert (refused.status_code, refused.json()["error"]["code"]) == (401, "inactive_account")


def test_a_page_cached_in_a_former_role_is_not_served_in_the_new_one(
    api: Api, staff: dict[str, Person]
) -> None:
    api.submit(api.login(api.register()))  # someone else's, which staff see
    person = api.register()
    auth = api.login(person)
    mine = api.submit(auth)["id"]
    for _ in range(2):
        assert [i["id"] for i in api.http.get(LIST, headers=auth).json()["items"]] == [mine]
    with promoted(api, api.login(staff["admin1"]), person):
        # The token still says "applicant"; the account says analyst: staff's list, not the
        # applicant's page cached for this token's role, on the first call or any later one.
        for _ in range(3):
            items = api.http.get(LIST, params={"limit": 100}, headers=auth).json()["items"]
            assert any(item["applicant_id"] != str(person.id) for item in items)


def test_an_expired_token_gets_no_cached_page(api: Api) -> None:
    person = api.register()
    auth = api.login(person)
    api.submit(auth)
    assert api.http.get(LIST, headers=auth).status_code == 200
    assert api.http.get(LIST, headers=auth).status_code == 200  # cached
    claims = tokens.verify(auth["Authorization"].removeprefix("Bearer "), tokens.TokenType.ACCESS)
    expired = tokens.issue(
        tokens.TokenType.ACCESS,
        person.id,
        timedelta(seconds=-1),
        extra={"role": claims["role"], "sid": claims["sid"]},
    )
    refused = api.http.get(LIST, headers={"Authorization": f"Bearer {expired.token}"})
    assert (refused.status_code, refused.json()["error"]["code"]) == (401, "token_expired")


def test_a_route_that_checks_more_cannot_be_read_ahead_of_the_framework() -> None:
    """A dependency the cached read does not check (a throttle, say), or another query
    model, fails when the app is built rather than be skipped."""
    read = CachedRead(LIST, RequestFilters, list_cache_key, list_page)
    assert checked(app, [read]) == [read]
    with pytest.raises(ValueError, match="checks more"):
        checked(app, [CachedRead(LIST, RequestQuery, list_cache_key, list_page)])

    async def throttle() -> None:
        return None

    def listing(filters: Annotated[RequestFilters, Query()], user: CurrentUser) -> None:
        return None

    stricter = FastAPI()
    stricter.add_api_route(LIST, listing, methods=["GET"], dependencies=[Depends(throttle)])
    with pytest.raises(ValueError, match="checks more"):
        checked(stricter, [read])
