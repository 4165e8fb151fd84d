"""Logging in, rotating refresh tokens, logging out."""

from sqlalchemy import select

from shared.audit.models import AuditLog
from shared.auth import tokens as token_service
from shared.auth.service import DENY_LIST_RESTORED, REVOKED_PREFIX, REVOKED_SESSION_PREFIX
from shared.cache import get_redis
from shared.db import unit_of_work
from tests.support import Api, Person


def _login(api: Api, username: str, password: str) -> dict:
    response = api.http.post("/api/v1/token", data={"username": username, "password": password})
    return {"status": response.status_code, **response.json()}


def test_login_returns_a_token_pair_and_failures_look_alike_and_are_audited(api: Api) -> None:
    person = api.register()
    tokens = _login(api, person.username, person.password)
    assert tokens["status"] == 200
    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] > 0
    me = api.http.get(
        "/api/v1/users/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert me.json()["username"] == person.username
    assert "password_hash" not in me.json()

    wrong_password = _login(api, person.username, "wrong-password-123")
    unknown_user = _login(api, "nobody-" + person.username, "wrong-password-123")
    assert wrong_password["status"] == unknown_user["status"] == 401
    assert wrong_password["error"] == unknown_user["error"]
    with unit_of_work() as session:
        failures = session.scalars(
            select(AuditLog).where(AuditLog.action == "auth.login_failed")
        ).all()
    usernames = {f.details["username"] for f in failures if f.details}
    assert {person.username, "nobody-" + person.username} <= usernames


def test_refresh_rotates_and_reuse_revokes_the_family(api: Api) -> None:
    person = api.register()
    first = _login(api, person.username, person.password)
    second = api.http.post("/api/v1/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    rotated = second.json()
    assert rotated["refresh_token"] != first["refresh_token"]

    reuse = api.http.post("/api/v1/refresh", json={"refresh_token": first["refresh_token"]})
    assert reuse.status_code == 401
    assert reuse.json()["error"]["code"] == "token_reused"
    # The thief's reuse also ends the legitimate successor.
    after = api.http.post("/api/v1/refresh", json={"refresh_token": rotated["refresh_token"]})
    assert after.status_code == 401


def test_access_token_is_not_a_refresh_token(api: Api) -> None:
    person = api.register()
    tokens = _login(api, person.username, person.password)
    response = api.http.post("/api/v1/refresh", json={"refresh_token": tokens["access_token"]})
    assert response.status_code == 401
    as_access = api.http.get(
        "/api/v1/users/me", headers={"Authorization": f"Bearer {tokens['refresh_token']}"}
    )
    assert as_access.status_code == 401


def test_logout_revokes_the_access_and_refresh_tokens(api: Api) -> None:
    person = api.register()
    tokens = _login(api, person.username, person.password)
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    out = api.http.post(
        "/api/v1/logout", json={"refresh_token": tokens["refresh_token"]}, headers=auth
    )
    assert out.status_code == 204
    after = api.http.get("/api/v1/users/me", headers=auth)
    assert after.status_code == 401
    assert after.json()["error"]["code"] == "token_revoked"
    refreshed = api.http.post("/api/v1/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 401


def test_deactivating_an_account_ends_its_sessions_for_good(
    api: Api, staff: dict[str, Person]
) -> None:
    """Deactivating an account (a stolen token, someone who left) signs it out everywhere:
    reactivating it later must not bring back a session from before."""
    person = api.register()
    tokens = _login(api, person.username, person.password)
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    admin = api.login(staff["admin1"])
    for active in (False, True):
        changed = api.http.patch(
            f"/api/v1/users/{person.id}", json={"is_active": active}, headers=admin
        )
        assert changed.status_code == 200, changed.text
    refreshed = api.http.post("/api/v1/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 401
    assert api.http.get("/api/v1/users/me", headers=auth).status_code == 401
    # The account itself works again: a new sign-in.
    assert _login(api, person.username, person.password)["status"] == 200


def test_registration_rejects_duplicates_and_bad_input_with_error_bodies(api: Api) -> None:
    person = api.register()
    duplicate = api.http.post(
        "/api/v1/users",
        json={
            "username": person.username,
            "email": "other-" + person.email,
            "password": "long-enough-password",
            "full_name": "X",
        },
    )
    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["code"] == "user_exists"
    bad = api.http.post(
        "/api/v1/users",
        json={
            "username": "a b",
            "email": "nope",
            "password": "Zq9-leak",
            "full_name": "",
            "role": "admin",
        },
    )
    assert bad.status_code == 422
    body = bad.json()["error"]
    assert body["code"] == "validation_error"
    fields = {tuple(d["loc"])[-1] for d in body["details"]}
    assert {"username", "email", "password", "full_name", "role"} <= fields
    assert "Zq9-leak" not in bad.text  # rejected input (a password) is never echoed back


def test_a_signed_out_session_stays_out_when_redis_loses_its_data(api: Api) -> None:
    """Redis keeps nothing on disk: after a restart the deny-list is empty, yet a session
    signed out before it is still refused (PostgreSQL knows), on every path, and the deny-list
    is put back together; nobody else is signed out."""
    person = api.register()
    leaving, staying = api.login(person), api.login(person)
    for auth in (leaving, staying):  # the list's page and the account are cached for both
        for _ in range(2):
            assert api.http.get("/api/v1/credit-requests", headers=auth).status_code == 200
    assert api.http.post("/api/v1/logout", json={}, headers=leaving).status_code == 204
    claims = token_service.verify(
        leaving["Authorization"].removeprefix("Bearer "), token_service.TokenType.ACCESS
    )
    sid, jti = claims["sid"], claims["jti"]
    redis = get_redis()
    # The deny-list lost, the cached account and page kept: the list is not answered from
    # the cache; then everything lost, as after a restart.
    for lose in (
        lambda: redis.delete(
            DENY_LIST_RESTORED, REVOKED_SESSION_PREFIX + sid, REVOKED_PREFIX + jti
        ),
        redis.flushdb,
    ):
        lose()
        for path in ("/api/v1/credit-requests", "/api/v1/users/me", "/api/v1/credit-requests"):
            refused = api.http.get(path, headers=leaving)
            assert (refused.status_code, refused.json()["error"]["code"]) == (
                401,
                "token_revoked",
            )
            assert api.http.get(path, headers=staying).status_code == 200
        assert redis.exists(DENY_LIST_RESTORED, REVOKED_SESSION_PREFIX + sid) == 2
