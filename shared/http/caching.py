"""Cached JSON answers with ETags: a read the cache already holds costs one Redis round trip,
and one the client already has (`If-None-Match`) costs a 304 with no body.

The hottest of them (the credit-request list the web app polls, and whose filters people
change) are also answered ahead of the framework (`CachedReads`): FastAPI's per-call work
(solving a dozen dependencies, reading a query model field by field) cost more than the
cached answer itself, and a third of a first read's. Such a read checks what the
framework's route would, with the same code: the access token (`tokens.verify`, `admit`),
the route table's roles, the query model; its key and its answer come from the same
functions as the route's. The token names the account and its role, so one Redis round trip
reads the cached account, the token's deny-list entries and the cached page together; the
account must still hold that role. A current page is answered at once; a missing or stale
one is computed and stored as the route would (`read_through`). Anything short of an
admitted, cached account (no or a bad token, an account not cached, a role the table
refuses, a query the model refuses, a deny-list that cannot say, Redis down), or a page the
route's own code refuses, goes on to the framework untouched, which answers it, errors
included, as always.
"""

import logging
import uuid
from collections import abc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, get_args, get_origin
from urllib.parse import parse_qsl

from fastapi import Request, Response
from fastapi.routing import APIRoute
from fastapi.security.utils import get_authorization_scheme_param
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import Headers

from shared.auth import tokens
from shared.auth.service import deny_keys, revoked_by
from shared.caching import CacheKey, Entry, Miss, count_hits, peek, read_through
from shared.db import new_session
from shared.errors import DomainError
from shared.http import routes
from shared.http.deps import admit, checks_only_sign_in_and_role, role_allows, subject_of
from shared.http.security import ASGIApp, Receive, Scope, Send
from shared.users import identity
from shared.users.identity import Identity
from shared.workflow.states import Role

logger = logging.getLogger(__name__)
NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: the answer is still the one whose ETag was sent"}
}


class Viewer(Protocol):
    """Who reads, as far as a cached answer's key is concerned."""

    @property
    def id(self) -> uuid.UUID: ...

    @property
    def role(self) -> str: ...


@dataclass(frozen=True)
class TokenViewer:
    """The account and role an access token names (checked against the account itself)."""

    id: uuid.UUID
    role: str


def cached_json(request: Request, at: CacheKey, compute: Callable[[], BaseModel]) -> Response:
    """The answer `compute` gives, read through the cache (see `shared.caching`) at `at`;
    304 when the client has it."""
    entry = read_json(at, compute)
    headers = {"ETag": entry.etag}
    if _client_has(entry, request.headers.get("if-none-match", "")):
        return Response(status_code=304, headers=headers)
    return Response(entry.body, media_type="application/json", headers=headers)


def read_json(at: CacheKey, compute: Callable[[], BaseModel], missed: Miss | None = None) -> Entry:
    """The JSON of the answer `compute` gives, read through the cache at `at` (`missed`: see
    `read_through`): the one serialisation of a cached answer, whether the route or
    `CachedReads` computes it."""
    return read_through(at, lambda: compute().model_dump_json().encode(), missed=missed)


def _client_has(entry: Entry, if_none_match: str) -> bool:
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",") if tag.strip()}
    return entry.etag in tags


@dataclass(frozen=True)
class CachedRead[Q: BaseModel]:
    """A GET route `CachedReads` answers: its path in the route table (no path parameters),
    its query model, and the two functions the route itself calls: where it caches an answer
    for a viewer and a query, and the answer."""

    path: str
    query: type[Q]
    key: Callable[[Viewer, Q], CacheKey]
    answer: Callable[[Session, Identity, Q], BaseModel]
    roles: frozenset[Role] = field(init=False)
    lists: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        roles = routes.find("GET", self.path).roles
        if roles is routes.PUBLIC or "{" in self.path:
            raise ValueError(f"{self.path}: only signed-in routes without path parameters")
        lists = set()
        for name, model_field in self.query.model_fields.items():
            if model_field.alias or model_field.validation_alias:
                raise ValueError(f"{self.query.__name__}.{name}: aliases are not read here")
            if get_origin(model_field.annotation) is list:
                lists.add(name)
            elif _holds_a_sequence(model_field.annotation):
                raise ValueError(f"{self.query.__name__}.{name}: only list[...] repeats here")
        object.__setattr__(self, "roles", roles)
        object.__setattr__(self, "lists", frozenset(lists))

    def parse(self, query_string: bytes) -> Q | None:
        """The query as the framework reads it (a list field takes every value, any other
        field the last), or None where this cannot tell (a name the model lacks, a value it
        refuses): the framework then reads it itself."""
        values: dict[str, Any] = {}
        for name, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True):
            if name not in self.query.model_fields:
                return None
            if name in self.lists:
                values.setdefault(name, []).append(value)
            else:
                values[name] = value
        try:
            return self.query.model_validate(values)
        except ValidationError:
            return None


def _holds_a_sequence(annotation: Any) -> bool:
    origin = get_origin(annotation)
    if origin in (list, set, frozenset, tuple, abc.Sequence, abc.Set):
        return True
    return any(_holds_a_sequence(arg) for arg in get_args(annotation))


def checked(app: Any, reads: Sequence[CachedRead[Any]]) -> Sequence[CachedRead[Any]]:
    """`reads`, once each is known to check what its route does: the route takes exactly
    that query model, and runs no dependency but signing in and its role check. A route
    that later gains one (a throttle, a verified email) fails here, when the app is built,
    rather than be skipped by the answers given ahead of it."""
    for read in reads:
        (route,) = [
            r
            for r in app.routes
            if isinstance(r, APIRoute) and r.path == read.path and "GET" in (r.methods or ())
        ]
        queries = [param.field_info.annotation for param in route.dependant.query_params]
        if queries != [read.query] or not checks_only_sign_in_and_role(route):
            raise ValueError(f"GET {read.path} checks more than a cached read can (caching.py)")
    return reads


class CachedReads:
    """ASGI middleware answering `reads` for callers whose account is cached (see the module's
    docstring); inside the security middleware, so its headers, limits and CORS apply."""

    def __init__(self, app: ASGIApp, reads: Sequence[CachedRead[Any]]) -> None:
        self.app = app
        self.reads = {read.path: read for read in reads}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        read = self.reads.get(scope.get("path", "")) if scope["type"] == "http" else None
        answer = None
        if read is not None and scope["method"] == "GET":
            try:
                answer = _cached_answer(read, scope)
            except Exception:
                # Never an error of its own: the framework answers, as if this were not here.
                logger.exception("cached read failed; the route answers", extra={"path": read.path})
        if answer is None:
            await self.app(scope, receive, send)
            return
        status, headers, body = answer
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


Answer = tuple[int, list[tuple[bytes, bytes]], bytes]


def _cached_answer(read: CachedRead[Any], scope: Scope) -> Answer | None:
    headers = Headers(scope=scope)
    scheme, token = get_authorization_scheme_param(headers.get("authorization"))
    if scheme.lower() != "bearer" or not token:
        return None
    query = read.parse(scope.get("query_string", b""))
    if query is None:
        return None
    try:
        claims = tokens.verify(token, tokens.TokenType.ACCESS)
        viewer = TokenViewer(subject_of(claims), str(claims["role"]))
    except (DomainError, KeyError):
        return None
    if not role_allows(read.roles, viewer.role):
        return None
    account_at, page_at = identity.cache_key(viewer.id), read.key(viewer, query)
    found = peek(account_at, page_at, also=deny_keys(claims))
    if found is None:
        return None
    (account, page), denied = found
    if isinstance(account, Miss):
        return None
    revoked = revoked_by(claims, denied)
    if revoked is None:  # the deny-list cannot say: the framework asks PostgreSQL
        return None
    try:
        caller = admit(claims, identity.load(account.body), revoked=revoked)
    except DomainError:
        return None
    if caller.user.role != viewer.role:  # the key was made for the token's role
        return None
    if isinstance(page, Miss):
        # A miss: computed and stored as the route would (read_through counts it). What the
        # route refuses (a cursor of another sort, say) it answers itself, with its error.
        try:
            with new_session() as session:
                page = read_json(page_at, lambda: read.answer(session, caller.user, query), page)
        except DomainError:
            return None
        count_hits(account_at)
    else:
        count_hits(account_at, page_at)
    etag = (b"etag", page.etag.encode())
    if _client_has(page, headers.get("if-none-match", "")):
        return 304, [etag], b""
    length = (b"content-length", b"%d" % len(page.body))
    return 200, [(b"content-type", b"application/json"), length, etag], page.body
