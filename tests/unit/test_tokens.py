"""Signed tokens and password hashing (shared.auth.tokens / passwords)."""

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from shared.auth import tokens
from shared.auth.tokens import TokenType, issue, verify
from shared.config import get_settings
from shared.errors import Unauthorized
from shared.users.passwords import hash_password, verify_and_upgrade

SUBJECT = uuid.UUID("6f1c1d36-9a59-4a43-8a68-1f0b1f3f4a10")


def secret() -> str:
    return get_settings().secret_key.get_secret_value()


def claims(**overrides: Any) -> dict[str, Any]:
    settings = get_settings()
    now = datetime.now(UTC)
    base: dict[str, Any] = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": str(SUBJECT),
        "typ": "access",
        "jti": str(uuid.uuid4()),
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=5)).timestamp()),
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def sign(payload: dict[str, Any], key: str | None = None, algorithm: str | None = None) -> str:
    return jwt.encode(payload, key or secret(), algorithm=algorithm or get_settings().jwt_algorithm)


def refused(token: str, token_type: TokenType = TokenType.ACCESS) -> Unauthorized:
    with pytest.raises(Unauthorized) as raised:
        verify(token, token_type)
    assert raised.value.status_code == 401
    return raised.value


def b64url(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


# --- round trip -------------------------------------------------------------------------


@pytest.mark.parametrize("token_type", list(TokenType))
def test_issued_token_verifies_as_its_own_type(token_type: TokenType) -> None:
    issued = issue(token_type, SUBJECT, timedelta(minutes=5), extra={"stage_id": "s-1"})
    got = verify(issued.token, token_type)
    assert got["sub"] == str(SUBJECT)
    assert got["typ"] == token_type.value
    assert got["jti"] == str(issued.jti)
    assert got["stage_id"] == "s-1"
    assert got["iss"] == get_settings().jwt_issuer
    assert got["aud"] == get_settings().jwt_audience


def test_issue_reports_expiry_and_uses_given_jti() -> None:
    jti = uuid.uuid4()
    before = datetime.now(UTC)
    issued = issue(TokenType.REFRESH, SUBJECT, timedelta(days=7), jti=jti)
    assert issued.jti == jti
    assert issued.expires_at.tzinfo is not None
    assert before + timedelta(days=7) <= issued.expires_at <= datetime.now(UTC) + timedelta(days=7)
    assert verify(issued.token, TokenType.REFRESH)["exp"] == int(issued.expires_at.timestamp())


# --- refusals -----------------------------------------------------------------------------


def test_refresh_token_is_refused_as_access_token() -> None:
    issued = issue(TokenType.REFRESH, SUBJECT, timedelta(days=1))
    assert refused(issued.token, TokenType.ACCESS).code == "invalid_token"


def test_access_token_is_refused_as_approval_link() -> None:
    issued = issue(TokenType.ACCESS, SUBJECT, timedelta(minutes=5))
    assert refused(issued.token, TokenType.APPROVAL).code == "invalid_token"


def test_expired_token_is_refused_with_token_expired(monkeypatch: pytest.MonkeyPatch) -> None:
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    monkeypatch.setattr(tokens, "utcnow", lambda: an_hour_ago)
    issued = issue(TokenType.ACCESS, SUBJECT, timedelta(minutes=15))
    monkeypatch.undo()
    assert refused(issued.token).code == "token_expired"


def test_token_still_valid_until_expiry(monkeypatch: pytest.MonkeyPatch) -> None:
    ten_minutes_ago = datetime.now(UTC) - timedelta(minutes=10)
    monkeypatch.setattr(tokens, "utcnow", lambda: ten_minutes_ago)
    issued = issue(TokenType.ACCESS, SUBJECT, timedelta(minutes=15))
    monkeypatch.undo()
    assert verify(issued.token, TokenType.ACCESS)["sub"] == str(SUBJECT)


def test_signature_from_another_key_is_refused() -> None:
    forged = sign(claims(), key="a-different-secret-of-sufficient-length-xyz")
    assert refused(forged).code == "invalid_token"


def test_tampered_payload_is_refused() -> None:
    token = issue(TokenType.ACCESS, SUBJECT, timedelta(minutes=5)).token
    header, _, signature = token.split(".")
    other = claims(sub=str(uuid.uuid4()))
    tampered = f"{header}.{b64url(other)}.{signature}"
    assert refused(tampered).code == "invalid_token"


def test_tampered_signature_bytes_are_refused() -> None:
    token = issue(TokenType.ACCESS, SUBJECT, timedelta(minutes=5)).token
    header, payload, signature = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
    raw[0] ^= 0xFF
    bad = base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    assert refused(f"{header}.{payload}.{bad}").code == "invalid_token"


def test_alg_none_is_refused() -> None:
    unsigned = f"{b64url({'alg': 'none', 'typ': 'JWT'})}.{b64url(claims())}."
    assert refused(unsigned).code == "invalid_token"


def test_alg_none_via_pyjwt_is_refused() -> None:
    unsigned = jwt.encode(claims(), "", algorithm="none")
    assert refused(unsigned).code == "invalid_token"


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_other_hmac_algorithm_with_the_right_key_is_refused() -> None:
    other = "HS512" if get_settings().jwt_algorithm != "HS512" else "HS256"
    assert refused(sign(claims(), algorithm=other)).code == "invalid_token"


def test_wrong_audience_is_refused() -> None:
    assert refused(sign(claims(aud="someone-else"))).code == "invalid_token"


def test_wrong_issuer_is_refused() -> None:
    assert refused(sign(claims(iss="evil-issuer"))).code == "invalid_token"


@pytest.mark.parametrize("missing", ["exp", "iat", "iss", "aud", "sub", "jti", "typ"])
def test_token_missing_a_required_claim_is_refused(missing: str) -> None:
    payload = claims()
    del payload[missing]
    assert refused(sign(payload)).code == "invalid_token"


def test_correctly_crafted_token_is_accepted() -> None:
    # The control for the refusals above: the same helper with nothing wrong verifies.
    assert verify(sign(claims()), TokenType.ACCESS)["sub"] == str(SUBJECT)


def test_garbage_is_refused() -> None:
    assert refused("not.a.jwt").code == "invalid_token"
    assert refused("").code == "invalid_token"


# --- passwords ------------------------------------------------------------------------------


def test_password_hash_verifies_the_right_password_only() -> None:
    stored = hash_password("correct horse battery staple")
    assert "correct horse" not in stored
    assert verify_and_upgrade("correct horse battery staple", stored) == (True, None)
    valid, _ = verify_and_upgrade("correct horse battery stapl", stored)
    assert valid is False
    valid, _ = verify_and_upgrade("", stored)
    assert valid is False


def test_password_hashes_are_salted() -> None:
    first, second = hash_password("same-password"), hash_password("same-password")
    assert first != second
    assert verify_and_upgrade("same-password", first)[0]
    assert verify_and_upgrade("same-password", second)[0]


def test_a_remembered_access_token_still_expires() -> None:
    """Verified access tokens are remembered per process: never past their expiry."""
    import time

    issued = issue(TokenType.ACCESS, SUBJECT, timedelta(seconds=1))
    assert verify(issued.token, TokenType.ACCESS)["sub"] == str(SUBJECT)
    assert verify(issued.token, TokenType.ACCESS)["sub"] == str(SUBJECT)  # remembered
    time.sleep(2.1)
    with pytest.raises(Unauthorized) as refused:
        verify(issued.token, TokenType.ACCESS)
    assert refused.value.code == "token_expired"


def test_a_remembered_token_is_never_another_type() -> None:
    issued = issue(TokenType.ACCESS, SUBJECT, timedelta(minutes=5))
    verify(issued.token, TokenType.ACCESS)
    with pytest.raises(Unauthorized):
        verify(issued.token, TokenType.REFRESH)
