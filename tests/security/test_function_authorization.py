"""API5 (broken function-level authorization): a role-by-endpoint matrix generated from the
route table. Every route declares who may call it (`Route.roles`); every role, and an
anonymous caller, gets exactly that: allowed → never 401/403; signed in but not allowed →
403 `role_forbidden`; anonymous on a protected route → 401 `not_authenticated`."""

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.http.routes import ROUTES, Route
from shared.workflow.states import Role
from tests.security.conftest import ROLES, Caller
from tests.support import GOOD_APPLICATION, Api

ANONYMOUS = "anonymous"
Builder = Callable[[TestClient, Caller | None, dict[str, Caller]], dict[str, Any]]


def _path(route: Route) -> str:
    return route.path.format(
        request_id=uuid.uuid4(),
        user_id=uuid.uuid4(),
        policy_id=uuid.uuid4(),
        absence_id=uuid.uuid4(),
        review_id=uuid.uuid4(),
        token="not-a-real-link-token",
        queue="score",  # an empty dead-letter queue: redriving it moves nothing
    )


def _auth(caller: Caller | None) -> dict[str, str]:
    return dict(caller.auth) if caller else {}


def _login_form(client: TestClient, caller: Caller | None, callers: dict[str, Caller]) -> dict:
    person = (caller or callers["applicant"]).person
    return {"data": {"username": person.username, "password": person.password}}


def _refresh_body(client: TestClient, caller: Caller | None, callers: dict[str, Caller]) -> dict:
    person = (caller or callers["applicant"]).person
    tokens = client.post(
        "/api/v1/token", data={"username": person.username, "password": person.password}
    ).json()
    return {"json": {"refresh_token": tokens["refresh_token"]}}


def _logout(client: TestClient, caller: Caller | None, callers: dict[str, Caller]) -> dict:
    # A session of its own: logging out must not end the caller's token the matrix reuses.
    if caller is None:
        return {"json": {}}
    fresh = Api(client).login(caller.person)
    return {"json": {}, "headers": fresh}


def _registration(client: TestClient, caller: Caller | None, callers: dict[str, Caller]) -> dict:
    name = f"matrix-{uuid.uuid4().hex[:10]}"
    return {
        "json": {
            "username": name,
            "email": f"{name}@example.com",
            "password": "matrix-Passphrase-77",
            "full_name": "Matrix Tester",
        }
    }


def _json(body: dict[str, Any]) -> Builder:
    return lambda client, caller, callers: {"json": body}


# Inputs an allowed caller can act on, so "allowed" is judged on a real answer. Routes not
# listed get no body (an allowed caller may then get 422, which is still not 401/403).
INPUTS: dict[tuple[str, str], Builder] = {
    ("POST", "/api/v1/token"): _login_form,
    ("POST", "/api/v1/refresh"): _refresh_body,
    ("POST", "/api/v1/logout"): _logout,
    ("POST", "/api/v1/users"): _registration,
    ("PATCH", "/api/v1/users/{user_id}"): _json({"is_active": True}),
    ("POST", "/api/v1/credit-requests"): _json(GOOD_APPLICATION),
    ("POST", "/api/v1/credit-requests/{request_id}/decision"): _json({"decision": "approve"}),
    ("POST", "/api/v1/approval-links/{token}"): _json({"decision": "approve"}),
    ("POST", "/api/v1/policies"): _json({}),
    ("POST", "/api/v1/policies/{policy_id}/propose"): _json({"reason": "A matrix test."}),
    ("POST", "/api/v1/policies/{policy_id}/activate"): _json({}),
    ("POST", "/api/v1/policies/{policy_id}/simulate"): _json({"requests": 5}),
}


def _call(
    client: TestClient, route: Route, caller: Caller | None, callers: dict[str, Caller]
) -> Any:
    build = INPUTS.get((route.method, route.path), lambda *_: {})
    kwargs = build(client, caller, callers)
    headers = {**_auth(caller), **kwargs.pop("headers", {})}
    return client.request(route.method, _path(route), headers=headers, **kwargs)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_every_role_gets_exactly_what_the_route_table_declares(
    client: TestClient, callers: dict[str, Caller], route: Route
) -> None:
    outcomes: dict[str, tuple[int, str | None]] = {}
    for who in (ANONYMOUS, *ROLES):
        caller = None if who == ANONYMOUS else callers[who]
        response = _call(client, route, caller, callers)
        outcomes[who] = (response.status_code, _error_code(response))

    for who, (status, code) in outcomes.items():
        assert status < 500, (who, status, code)
        if route.roles is None or (who != ANONYMOUS and Role(who) in route.roles):
            assert status not in (401, 403), (who, status, code)  # allowed
        elif who == ANONYMOUS:
            assert (status, code) == (401, "not_authenticated"), (who, status, code)
        else:
            assert (status, code) == (403, "role_forbidden"), (who, status, code)


@pytest.mark.parametrize(
    "route", [r for r in ROUTES if r.roles is not None], ids=lambda r: f"{r.method} {r.path}"
)
def test_protected_routes_refuse_a_forged_or_garbage_bearer_token(
    client: TestClient, route: Route
) -> None:
    for token in ("garbage", "a.b.c", ""):
        response = client.request(
            route.method, _path(route), headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 401, (token, response.text)
        assert response.headers["www-authenticate"] == "Bearer"


def test_every_route_declares_its_policy_and_openapi_agrees(client: TestClient) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    for route in ROUTES:
        assert route.roles is None or (
            route.roles and all(isinstance(r, Role) for r in route.roles)
        ), route
        operation = schema["paths"][route.path][route.method.lower()]
        secured = bool(operation.get("security"))
        # The document tells clients (and the fuzzer's ignored_auth check) the same story.
        assert secured == (route.roles is not None), route


def _error_code(response: Any) -> str | None:
    if not response.content or not str(response.headers.get("content-type", "")).startswith(
        "application/json"
    ):
        return None
    body = response.json()
    return body.get("error", {}).get("code") if isinstance(body, dict) else None
