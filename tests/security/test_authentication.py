"""API2 (broken authentication), attacked over HTTP through the gateway: forged and
mis-typed tokens, tokens after logout, refresh-token theft, credential stuffing and brute
force (throttled per account and per address in Redis), account enumeration by answer or
timing, weak passwords, and password hashes with outdated parameters."""

import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import select, update

from shared.audit.models import AuditLog
from shared.config import get_settings
from shared.db import unit_of_work
from shared.users.models import User
from shared.users.passwords import verify_and_upgrade
from tests.security.conftest import client_at, unique_address
from tests.support import Api, Person

ME = "/api/v1/users/me"


def _claims(person: Person, **overrides: Any) -> dict[str, Any]:
    settings = get_settings()
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": str(person.id),
        "typ": "access",
        "jti": str(uuid.uuid4()),
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=5)).timestamp()),
        "role": person.role,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _sign(claims: dict[str, Any], key: str | None = None, algorithm: str | None = None) -> str:
    settings = get_settings()
    return jwt.encode(
        claims,
        key or settings.secret_key.get_secret_value(),
        algorithm=algorithm or settings.jwt_algorithm,
    )


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _login(http: Any, username: str, password: str) -> Any:
    return http.post("/api/v1/token", data={"username": username, "password": password})


# --- tokens -------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_forged_and_mistyped_access_tokens_are_refused(api: Api) -> None:
    person = api.register()
    b64 = jwt.utils.base64url_encode
    header_none = b64(b'{"alg":"none","typ":"JWT"}').decode()
    payload = b64(jwt.api_jws.json.dumps(_claims(person)).encode()).decode()
    other_alg = "HS512" if get_settings().jwt_algorithm != "HS512" else "HS256"
    attacks = {
        "alg none": f"{header_none}.{payload}.",
        "alg none via pyjwt": jwt.encode(_claims(person), "", algorithm="none"),
        "another HMAC algorithm": _sign(_claims(person), algorithm=other_alg),
        "another key": _sign(_claims(person), key="someone-elses-secret-key-of-32-chars!"),
        "expired": _sign(_claims(person, exp=int(time.time()) - 5)),
        "wrong issuer": _sign(_claims(person, iss="evil")),
        "wrong audience": _sign(_claims(person, aud="another-api")),
        "no typ": _sign(_claims(person, typ=None)),
        "refresh typ": _sign(_claims(person, typ="refresh")),
        "approval typ": _sign(_claims(person, typ="approval")),
        "no exp": _sign(_claims(person, exp=None)),
        "unknown subject": _sign(_claims(person, sub=str(uuid.uuid4()))),
        "subject not a uuid": _sign(_claims(person, sub="admin")),
    }
    for name, token in attacks.items():
        response = api.http.get(ME, headers=_bearer(token))
        assert response.status_code == 401, name
        assert response.json()["error"]["code"] in (
            "invalid_token",
            "token_expired",
            "inactive_account",
        ), name
    control = api.http.get(ME, headers=_bearer(_sign(_claims(person))))
    assert control.status_code == 200  # the same recipe, nothing wrong: accepted


def test_role_comes_from_the_database_not_from_the_token(api: Api) -> None:
    person = api.register()
    # Even a correctly signed token that claims admin gives an applicant nothing more.
    token = _sign(_claims(person, role="admin"))
    assert api.http.get("/api/v1/users", headers=_bearer(token)).status_code == 403
    assert api.http.get("/api/v1/audit-logs", headers=_bearer(token)).status_code == 403


def test_a_deactivated_user_is_locked_out_at_once(api: Api, staff: dict[str, Person]) -> None:
    person = api.register()
    auth = api.login(person)
    admin = api.login(staff["admin1"])
    assert (
        api.http.patch(
            f"/api/v1/users/{person.id}", json={"is_active": False}, headers=admin
        ).status_code
        == 200
    )
    assert api.http.get(ME, headers=auth).json()["error"]["code"] == "inactive_account"
    refused = _login(api.http, person.username, person.password)
    unknown = _login(api.http, f"nobody-{uuid.uuid4().hex}", person.password)
    assert refused.status_code == unknown.status_code == 401
    assert refused.json() == unknown.json()


def test_refresh_and_access_tokens_are_not_interchangeable(api: Api) -> None:
    person = api.register()
    tokens = _login(api.http, person.username, person.password).json()
    assert api.http.get(ME, headers=_bearer(tokens["refresh_token"])).status_code == 401
    as_refresh = api.http.post("/api/v1/refresh", json={"refresh_token": tokens["access_token"]})
    assert as_refresh.status_code == 401
    assert as_refresh.json()["error"]["code"] == "invalid_token"


def test_logout_ends_the_access_token_and_its_refresh_token(api: Api) -> None:
    person = api.register()
    tokens = _login(api.http, person.username, person.password).json()
    auth = _bearer(tokens["access_token"])
    out = api.http.post(
        "/api/v1/logout", json={"refresh_token": tokens["refresh_token"]}, headers=auth
    )
    assert out.status_code == 204
    after = api.http.get(ME, headers=auth)
    assert (after.status_code, after.json()["error"]["code"]) == (401, "token_revoked")
    refreshed = api.http.post("/api/v1/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 401


def test_logout_cannot_revoke_someone_elses_refresh_token(api: Api) -> None:
    victim = api.register()
    victim_tokens = _login(api.http, victim.username, victim.password).json()
    attacker = api.login(api.register())
    response = api.http.post(
        "/api/v1/logout", json={"refresh_token": victim_tokens["refresh_token"]}, headers=attacker
    )
    assert response.status_code == 401
    still = api.http.post("/api/v1/refresh", json={"refresh_token": victim_tokens["refresh_token"]})
    assert still.status_code == 200
    # A refused logout changes nothing, for the caller either: their token still works.
    assert api.http.get(ME, headers=attacker).status_code == 200


def test_a_refused_logout_leaves_the_session_whole(api: Api) -> None:
    person = api.register()
    tokens = _login(api.http, person.username, person.password).json()
    auth = _bearer(tokens["access_token"])
    bad = api.http.post("/api/v1/logout", json={"refresh_token": "not-a-token"}, headers=auth)
    assert bad.status_code == 401
    assert api.http.get(ME, headers=auth).status_code == 200
    again = api.http.post("/api/v1/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert again.status_code == 200


def _session_is_dead(api: Api, access_token: str, refresh_token: str) -> bool:
    me = api.http.get(ME, headers=_bearer(access_token))
    refreshed = api.http.post("/api/v1/refresh", json={"refresh_token": refresh_token})
    return me.status_code == 401 and refreshed.status_code == 401


def test_logout_with_a_token_someone_already_rotated_ends_every_copy(api: Api) -> None:
    """A thief refreshed a copy of R1 and got R2; the owner logs out with R1: the whole
    session ends, the thief's R2 and its access token included, and the reuse is audited."""
    person = api.register()
    owner = _login(api.http, person.username, person.password).json()
    thief = api.http.post("/api/v1/refresh", json={"refresh_token": owner["refresh_token"]}).json()
    assert api.http.get(ME, headers=_bearer(thief["access_token"])).status_code == 200

    out = api.http.post(
        "/api/v1/logout",
        json={"refresh_token": owner["refresh_token"]},
        headers=_bearer(owner["access_token"]),
    )
    assert out.status_code == 204
    assert _session_is_dead(api, thief["access_token"], thief["refresh_token"])
    assert _session_is_dead(api, owner["access_token"], owner["refresh_token"])
    with unit_of_work() as session:
        detected = session.scalars(
            select(AuditLog).where(
                AuditLog.action == "auth.refresh_reuse_detected",
                AuditLog.entity_id == str(person.id),
            )
        ).all()
    assert len(detected) == 1


def test_logout_without_a_refresh_token_still_ends_the_session(api: Api) -> None:
    person = api.register()
    tokens = _login(api.http, person.username, person.password).json()
    rotated = api.http.post("/api/v1/refresh", json={"refresh_token": tokens["refresh_token"]})
    newer = rotated.json()
    out = api.http.post("/api/v1/logout", json={}, headers=_bearer(tokens["access_token"]))
    assert out.status_code == 204
    assert _session_is_dead(api, newer["access_token"], newer["refresh_token"])


def test_a_logout_racing_a_refresh_never_lets_the_session_survive(api: Api) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def refresh(tokens: dict[str, str]) -> Any:
        return api.http.post("/api/v1/refresh", json={"refresh_token": tokens["refresh_token"]})

    def logout(tokens: dict[str, str]) -> Any:
        return api.http.post(
            "/api/v1/logout",
            json={"refresh_token": tokens["refresh_token"]},
            headers=_bearer(tokens["access_token"]),
        )

    person = api.register()
    for _ in range(10):
        tokens = _login(api.http, person.username, person.password).json()
        with ThreadPoolExecutor(max_workers=2) as pool:
            refreshed, out = pool.submit(refresh, tokens), pool.submit(logout, tokens)
            refreshed_response, logout_response = refreshed.result(), out.result()
        assert logout_response.status_code == 204
        if refreshed_response.status_code == 200:
            won = refreshed_response.json()
            assert _session_is_dead(api, won["access_token"], won["refresh_token"])
        else:
            assert refreshed_response.status_code == 401


def test_reusing_a_rotated_refresh_token_revokes_the_whole_family(api: Api) -> None:
    person = api.register()
    first = _login(api.http, person.username, person.password).json()["refresh_token"]
    second = api.http.post("/api/v1/refresh", json={"refresh_token": first}).json()
    third = api.http.post("/api/v1/refresh", json={"refresh_token": second["refresh_token"]})
    assert third.status_code == 200
    newest = third.json()["refresh_token"]
    # An unrelated session of the same user is a different family and survives.
    other_session = _login(api.http, person.username, person.password).json()["refresh_token"]

    stolen = api.http.post("/api/v1/refresh", json={"refresh_token": first})
    assert (stolen.status_code, stolen.json()["error"]["code"]) == (401, "token_reused")
    for token in (second["refresh_token"], newest):
        assert api.http.post("/api/v1/refresh", json={"refresh_token": token}).status_code == 401
    assert (
        api.http.post("/api/v1/refresh", json={"refresh_token": other_session}).status_code == 200
    )
    with unit_of_work() as session:
        detected = session.scalars(
            select(AuditLog).where(
                AuditLog.action == "auth.refresh_reuse_detected",
                AuditLog.entity_id == str(person.id),
            )
        ).all()
    assert len(detected) == 1


# --- login: enumeration, timing, throttling -----------------------------------------------


def test_unknown_user_and_wrong_password_answer_alike_and_in_similar_time(api: Api) -> None:
    person = api.register()
    http = client_at(unique_address())
    wrong, unknown = [], []
    for _ in range(4):  # below the per-account limit
        started = time.perf_counter()
        a = _login(http, person.username, "Wrong-password-123")
        wrong.append(time.perf_counter() - started)
        started = time.perf_counter()
        b = _login(http, f"ghost-{uuid.uuid4().hex[:12]}", "Wrong-password-123")
        unknown.append(time.perf_counter() - started)
        assert a.status_code == b.status_code == 401
        assert a.json() == b.json()
    # Without the dummy-hash verification an unknown user answers ~10-20x faster.
    assert statistics.median(unknown) > 0.4 * statistics.median(wrong), (unknown, wrong)


def test_failures_are_throttled_per_account_with_retry_after(api: Api) -> None:
    person = api.register()
    http = client_at(unique_address())
    limit = get_settings().login_failures_per_account
    for _ in range(limit):
        assert _login(http, person.username, "Wrong-password-123").status_code == 401
    throttled = _login(http, person.username, person.password)  # even the right password
    assert throttled.status_code == 429
    retry_after = int(throttled.headers["Retry-After"])
    assert 0 < retry_after <= get_settings().login_throttle_seconds
    error = throttled.json()["error"]
    assert error["code"] == "login_throttled"
    assert error["details"] == {"retry_after": retry_after}
    # From another address too: the account's budget is spent, wherever the guesses come from.
    assert _login(client_at(unique_address()), person.username, person.password).status_code == 429
    # Another account from the first address is unaffected.
    other = api.register()
    assert _login(http, other.username, other.password).status_code == 200
    with unit_of_work() as session:
        failures = session.scalars(
            select(AuditLog).where(
                AuditLog.action == "auth.login_failed", AuditLog.entity_id == str(person.id)
            )
        ).all()
    assert len(failures) == limit
    assert sum(1 for f in failures if f.details and f.details.get("throttled")) == 1


def test_unknown_usernames_are_throttled_exactly_like_real_ones(api: Api) -> None:
    http = client_at(unique_address())
    ghost = f"ghost-{uuid.uuid4().hex[:12]}"
    limit = get_settings().login_failures_per_account
    for _ in range(limit):
        assert _login(http, ghost, "Wrong-password-123").status_code == 401
    assert _login(http, ghost, "Wrong-password-123").status_code == 429


def test_failures_are_throttled_per_client_address(api: Api) -> None:
    person = api.register()
    address = unique_address()
    http = client_at(address)
    limit = get_settings().login_failures_per_address
    for n in range(limit):  # a different username each time: a credential-stuffing run
        assert (
            _login(http, f"stuffed-{n}-{uuid.uuid4().hex[:8]}", "Pass-word-1234").status_code == 401
        )
    blocked = _login(http, person.username, person.password)
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    # The same account from another address signs in: only the address is throttled.
    assert _login(client_at(unique_address()), person.username, person.password).status_code == 200


def test_a_successful_login_clears_the_accounts_failures_only(api: Api) -> None:
    person = api.register()
    http = client_at(unique_address())
    limit = get_settings().login_failures_per_account
    for _ in range(limit - 1):
        assert _login(http, person.username, "Wrong-password-123").status_code == 401
    assert _login(http, person.username, person.password).status_code == 200
    for _ in range(limit - 1):
        assert _login(http, person.username, "Wrong-password-123").status_code == 401
    assert _login(http, person.username, person.password).status_code == 200


# --- passwords ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("qwertyuiop", "common"),
        ("1234567890", "common"),
        ("Password1234", "common (case does not help)"),
        ("short-pw1", "shorter than 10"),
        ("aaaaaaaaaaaaaaaa", "too few different characters"),
        ("{username}-secret", "contains the username"),
        ("x" * 129, "longer than 128"),
    ],
)
def test_weak_passwords_are_refused_at_registration(api: Api, password: str, why: str) -> None:
    username = f"pw-{uuid.uuid4().hex[:10]}"
    password = password.format(username=username)
    response = api.http.post(
        "/api/v1/users",
        json={
            "username": username,
            "email": f"{username}@example.com",
            "password": password,
            "full_name": "Weak Password",
        },
    )
    assert response.status_code == 422, why
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert ["body", "password"] in [d["loc"] for d in error["details"]], why
    assert password not in response.text  # the rejected password is never echoed


def test_a_hash_with_outdated_argon2_parameters_is_upgraded_at_login(api: Api) -> None:
    person = api.register()
    weak = Argon2Hasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(person.password)
    with unit_of_work() as session:
        session.execute(update(User).where(User.id == person.id).values(password_hash=weak))

    # A wrong password upgrades nothing.
    assert (
        _login(client_at(unique_address()), person.username, "Wrong-password-1").status_code == 401
    )
    with unit_of_work() as session:
        assert session.get(User, person.id).password_hash == weak  # type: ignore[union-attr]

    assert _login(api.http, person.username, person.password).status_code == 200
    with unit_of_work() as session:
        stored = session.get(User, person.id).password_hash  # type: ignore[union-attr]
        rehashed = session.scalars(
            select(AuditLog).where(
                AuditLog.action == "user.password_rehashed", AuditLog.entity_id == str(person.id)
            )
        ).all()
    assert stored != weak
    assert "m=8192,t=1,p=1" in weak and "m=8192,t=1,p=1" not in stored
    assert verify_and_upgrade(person.password, stored) == (True, None)  # current parameters
    assert len(rehashed) == 1
    assert _login(api.http, person.username, person.password).status_code == 200


def test_registration_accepts_a_good_passphrase(api: Api) -> None:
    username = f"pw-{uuid.uuid4().hex[:10]}"
    response = api.http.post(
        "/api/v1/users",
        json={
            "username": username,
            "email": f"{username}@example.com",
            "password": "correct horse battery staple",
            "full_name": "Good Password",
        },
    )
    assert response.status_code == 201
    assert "password" not in response.json()
