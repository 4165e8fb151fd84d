"""Who an account is: usernames and emails are unique whatever their case, a registration
race answers 409 (never 500), and a sign-in never touches another account's throttle."""

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from shared.config import get_settings
from shared.db import unit_of_work
from shared.users.models import User
from tests.security.conftest import client_at, unique_address
from tests.support import Api

PASSWORD = "Identity-check-2026"


def _body(username: str, email: str | None = None) -> dict[str, str]:
    return {
        "username": username,
        "email": email or f"{username.lower()}-{uuid.uuid4().hex[:6]}@example.com",
        "password": PASSWORD,
        "full_name": "Identity Tester",
    }


def _register(http: Any, body: dict[str, str]) -> Any:
    return http.post("/api/v1/users", json=body)


@pytest.mark.parametrize("variant", [str.upper, str.title, lambda s: s[0].upper() + s[1:]])
def test_a_username_differing_only_in_case_is_taken(api: Api, variant: Any) -> None:
    base = f"case{uuid.uuid4().hex[:8]}"
    assert _register(api.http, _body(base)).status_code == 201
    response = _register(api.http, _body(variant(base)))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "user_exists"


def test_an_email_differing_only_in_case_is_taken(api: Api) -> None:
    email = f"Mixed.{uuid.uuid4().hex[:8]}@Example.com"
    assert _register(api.http, _body(f"mail{uuid.uuid4().hex[:8]}", email)).status_code == 201
    again = _register(api.http, _body(f"mail{uuid.uuid4().hex[:8]}", email.upper()))
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "user_exists"


def test_the_database_itself_refuses_a_case_twin(api: Api) -> None:
    """Not only the registration check: the unique index holds against any writer."""
    person = api.register()
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), unit_of_work() as session:
        twin = User(
            username=person.username.upper(),
            email=f"twin-{uuid.uuid4().hex[:8]}@example.com",
            full_name="Twin",
            password_hash="x",
        )
        session.add(twin)


@pytest.mark.parametrize("field", ["username", "email"])
def test_parallel_registrations_of_one_identity_give_one_201_and_409s(
    client: TestClient, field: str
) -> None:
    name = f"race{uuid.uuid4().hex[:8]}"
    email = f"{name}@example.com"

    def attempt(n: int) -> int:
        body = _body(name if field == "username" else f"{name}{n}", email)
        if field == "username":
            body["email"] = f"{name}-{n}@example.com"
        return int(_register(client_at(unique_address()), body).status_code)

    with ThreadPoolExecutor(max_workers=20) as pool:
        codes = list(pool.map(attempt, range(20)))
    assert sorted(set(codes)) == [201, 409], codes
    assert codes.count(201) == 1
    with unit_of_work() as session:
        column = User.username if field == "username" else User.email
        value = name if field == "username" else email
        assert session.scalar(select(func.count()).where(column == value)) == 1


def test_sign_in_ignores_case_and_clears_only_the_real_accounts_failures(api: Api) -> None:
    person = api.register()
    attacker = client_at(unique_address())
    limit = get_settings().login_failures_per_account
    for _ in range(limit - 1):
        wrong = {"username": person.username, "password": "Wrong-password-123"}
        assert attacker.post("/api/v1/token", data=wrong).status_code == 401
    # The owner signs in typing their name in capitals: the same account, so its counter
    # (and only its) is cleared.
    owner = client_at(unique_address())
    typed = {"username": person.username.upper(), "password": person.password}
    signed_in = owner.post("/api/v1/token", data=typed)
    assert signed_in.status_code == 200
    me = owner.get(
        "/api/v1/users/me", headers={"Authorization": f"Bearer {signed_in.json()['access_token']}"}
    )
    assert me.json()["username"] == person.username
    for _ in range(limit - 1):
        wrong = {"username": person.username, "password": "Wrong-password-123"}
        assert attacker.post("/api/v1/token", data=wrong).status_code == 401
    assert attacker.post("/api/v1/token", data=typed).status_code == 200
